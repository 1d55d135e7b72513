/**
 * Helpers for tests that talk to the Genesys simulator over HTTP: start one, connect the bridge's
 * client to it, read its inspection API, and build valid events.
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { GenesysClient, type GenesysClientOptions } from '../activities/genesys/client';
import type { UserPresenceEvent, UserRoutingStatusEvent } from '../activities/genesys/contract';
import type { RequestLogEntry } from '../simulator/state';
import { createSimulator, defaultSeed, defaultSimulatorClient, type Simulator } from '../simulator';
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

/** Starts a simulator on a free loopback port with `agents` external agents. */
export async function startTestSimulator(
  options: Omit<SimulatorOptions, 'organization'> & { agents?: number } = {},
): Promise<TestSimulator> {
  const { agents = 10, ...rest } = options;
  const seed = defaultSeed({ agents });
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

/** The largest number of instants that fall inside any window of `windowMs`. */
export function busiestWindow(instants: number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
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
