/**
 * Helpers for tests that talk to the Genesys simulator over HTTP: start one, connect the bridge's
 * client to it, read its inspection API, and build valid events.
 */
import { createHash, randomUUID } from 'node:crypto';
import axios from 'axios';
import { GenesysClient, type GenesysClientOptions } from '../activities/genesys/client';
import type { ConversationEvent, UserPresenceEvent, UserRoutingStatusEvent } from '../domain/genesys';
import type { EventPublisher } from '../activities/genesys/publisher';
import type { RequestLogEntry } from '../simulator/state';
import { createSimulator, defaultSeed, defaultSimulatorClient, type Simulator } from '../simulator';
export { busiestWindow } from '../simulator/inspection';
import { pcmWav } from '../tools/load/contact-centre';
import type { SimulatorOptions } from '../simulator/options';
import type { OrganizationSeed } from '../simulator/seed';

/** A simulator and the organisation it started with. */
export interface TestSimulator {
  simulator: Simulator;
  seed: OrganizationSeed;
  /** The external agents' presence source id. */
  sourceId: string;
  /** Users that are external agents (primary source = `sourceId`). */
  agents: OrganizationSeed['users'];
}

/**
 * Starts a simulator on a free loopback port with `agents` external agents of `sourceName` (default
 * `acd`); tests that run agent workflows give each suite its own source, so workflow ids never collide
 * on the shared dev server.
 */
export async function startTestSimulator(
  options: Omit<SimulatorOptions, 'organization'> & { agents?: number; sourceName?: string } = {},
): Promise<TestSimulator> {
  const { agents = 10, sourceName, ...rest } = options;
  const seed = defaultSeed({ agents, sourceName });
  const simulator = await createSimulator({ ...rest, organization: seed });
  const source = seed.presenceSources[0];
  return {
    simulator,
    seed,
    sourceId: source?.id ?? 'no-source',
    agents: seed.users.filter((user) => user.primarySourceId !== undefined),
  };
}

/** The bridge's client for a simulator (the default client, unless credentials are given). */
export function clientFor(
  simulator: Simulator,
  options: Partial<Omit<GenesysClientOptions, 'hosts'>> = {},
): GenesysClient {
  return new GenesysClient({
    hosts: { apiBaseUrl: simulator.url, loginBaseUrl: simulator.url },
    credentials: defaultSimulatorClient,
    requestsPerMinute: 300,
    ...options,
  });
}

/** Reads an inspection endpoint (`/__simulator/<path>`) over HTTP. */
export async function inspect<T = unknown>(simulator: Simulator, path: string): Promise<T> {
  const response = await axios.get<T>(`${simulator.url}/__simulator/${path}`);
  return response.data;
}

/** The simulator's counters. */
export function simulatorStats(simulator: Simulator) {
  return inspect<Simulator['context']['state']['counters'] & { faultsInjected: Record<string, number> }>(
    simulator,
    'stats',
  );
}

/** Requests the simulator served whose path starts with `path`. */
export async function requestsTo(simulator: Simulator, path: string): Promise<RequestLogEntry[]> {
  const log = await inspect<{ entries: RequestLogEntry[] }>(
    simulator,
    `requests?path=${encodeURIComponent(path)}`,
  );
  return log.entries;
}

/** Replaces the simulator's fault plan at run time. */
export async function setFaults(simulator: Simulator, plan: unknown): Promise<void> {
  await axios.put(`${simulator.url}/__simulator/faults`, plan);
}

/** Revokes every token the simulator issued, as an expired or rotated session would. */
export async function revokeTokens(simulator: Simulator): Promise<void> {
  await axios.post(`${simulator.url}/__simulator/tokens/revoke`, {});
}

/** An ISO timestamp `ms` before now (negative: in the future). */
export function isoAgo(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

/** A valid presence event for `userId` from `sourceId`. */
export function presenceEvent(
  userId: string,
  sourceId: string,
  overrides: Partial<UserPresenceEvent> = {},
): UserPresenceEvent {
  return { eventId: randomUUID(), eventDateTime: isoAgo(1_000), userId, sourceId, ...overrides };
}

/** A valid routing-status event for `agentId` from `sourceId`. */
export function routingStatusEvent(
  agentId: string,
  sourceId: string,
  overrides: Partial<UserRoutingStatusEvent> = {},
): UserRoutingStatusEvent {
  return {
    eventId: randomUUID(),
    eventDateTime: isoAgo(1_000),
    agentId,
    sourceId,
    status: 'Idle',
    ...overrides,
  };
}

/** An inbound customer leg of a voice conversation, established at `at`. */
export function customerLeg(conversationId: string, at: string, communicationId = randomUUID()) {
  return {
    eventId: randomUUID(),
    eventDateTime: at,
    conversationId,
    communicationId,
    initialConfiguration: { inbound: true, alerting: false },
    sourceConfiguration: { sourceId: 'acd', interactionId: `call-${conversationId.slice(0, 8)}` },
    ani: 'tel:+15551230000',
    dnis: 'tel:+15559870000',
  } satisfies ConversationEvent<'externalEstablishedEvents'>;
}

/** The common fields of an event on one leg. */
export function legEvent(conversationId: string, communicationId: string, at: string) {
  return { eventId: randomUUID(), eventDateTime: at, conversationId, communicationId };
}

/** The error a promise rejected with (fails when it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** A playable WAV file: `seconds` of a 440 Hz tone, 8 kHz 16-bit mono PCM. */
export function toneWav(seconds: number): Buffer {
  const sampleRate = 8_000;
  const samples = Math.round(seconds * sampleRate);
  const pcm = Buffer.alloc(samples * 2);
  for (let index = 0; index < samples; index++) {
    pcm.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * 440 * index) / sampleRate)), index * 2);
  }
  return pcmWav(pcm);
}

/** The base64 MD5 digest Genesys expects as `contentMd5`. */
export function md5Base64(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

/** Injects a finished inbound call with one customer leg through `publisher`; answers its ids. */
export async function finishedCall(
  publisher: EventPublisher,
): Promise<{ conversationId: string; communicationId: string }> {
  const conversationId = randomUUID();
  const leg = customerLeg(conversationId, isoAgo(60_000));
  await publisher.publishConversationEvent('externalEstablishedEvents', leg);
  await publisher.publishConversationEvent('communicationEndedEvents', {
    ...legEvent(conversationId, leg.communicationId, isoAgo(30_000)),
    disconnectType: 'Peer',
  });
  return { conversationId, communicationId: leg.communicationId };
}
