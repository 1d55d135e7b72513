/**
 * The publisher bench's parts (`scripts/bench-publisher.ts`): the simulator organisation's ids the load
 * refers to, a whole voice call played as Genesys conversation events with the gaps a real one has, and
 * the tally of what was offered, accepted and how fast, per kind.
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import type { ConversationEvent, ConversationEventKey } from '../../domain/genesys';

/** The kinds of event the publisher bench offers. */
export type PublishKind = 'presence' | 'routingStatus' | 'conversation';

/** The ids of the simulator's organisation the publisher bench's events refer to. */
export interface PublisherParties {
  /** Users with a primary source: the agents presence and routing changes go to. */
  agents: string[];
  sourceId: string;
  presenceDefinitions: string[];
  queueId: string;
  wrapupCode: string;
}

interface Organization {
  presenceSources: { id: string }[];
  presenceDefinitions: { id: string }[];
  queues: { id: string }[];
  wrapupCodes: { id: string }[];
  users: { id: string; primarySourceId?: string }[];
}

/** Reads the parties of the simulator's seeded organisation from its inspection API. */
export async function publisherParties(simulatorUrl: string): Promise<PublisherParties> {
  const organization = (await axios.get<Organization>(`${simulatorUrl}/__simulator/organization`)).data;
  return {
    agents: organization.users.filter((user) => user.primarySourceId !== undefined).map((user) => user.id),
    sourceId: organization.presenceSources[0]!.id,
    presenceDefinitions: organization.presenceDefinitions.map((definition) => definition.id),
    queueId: organization.queues[0]!.id,
    wrapupCode: organization.wrapupCodes[0]!.id,
  };
}

/** Waits `ms` (at once when it is not positive). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
  return value === undefined ? null : Math.round(value);
}

/** What was offered and accepted of each kind, the failures, and each accepted event's latency. */
export class PublishTally {
  readonly offered: Record<PublishKind, number> = { presence: 0, routingStatus: 0, conversation: 0 };
  readonly accepted: Record<PublishKind, number> = { presence: 0, routingStatus: 0, conversation: 0 };
  private readonly failed: Record<PublishKind, string[]> = {
    presence: [],
    routingStatus: [],
    conversation: [],
  };
  private readonly latencies: Record<PublishKind, number[]> = {
    presence: [],
    routingStatus: [],
    conversation: [],
  };

  /** Publishes one event of `kind`, counting it; a failure is noted, not thrown, so the load goes on. */
  async track(kind: PublishKind, publish: () => Promise<unknown>): Promise<void> {
    this.offered[kind]++;
    const started = performance.now();
    try {
      await publish();
      this.accepted[kind]++;
      this.latencies[kind].push(performance.now() - started);
    } catch (error) {
      this.failed[kind].push(error instanceof Error ? error.message : String(error));
    }
  }

  /** The figures of each kind, with the API requests its endpoint took (`apiRequests`). */
  summary(apiRequests: Record<PublishKind, number>) {
    return Object.fromEntries(
      (Object.keys(this.offered) as PublishKind[]).map((kind) => {
        const sorted = [...this.latencies[kind]].sort((a, b) => a - b);
        return [
          kind,
          {
            offered: this.offered[kind],
            accepted: this.accepted[kind],
            failed: this.failed[kind].length,
            firstFailures: this.failed[kind].slice(0, 3),
            latencyMs: {
              p50: percentile(sorted, 0.5),
              p95: percentile(sorted, 0.95),
              p99: percentile(sorted, 0.99),
              max: percentile(sorted, 1),
            },
            apiRequests: apiRequests[kind],
            apiRequestsPerEvent:
              this.offered[kind] === 0 ? null : Number((apiRequests[kind] / this.offered[kind]).toFixed(4)),
          },
        ];
      }),
    );
  }
}

/** Publishes one conversation event of the call (`key` and its body); the tally counts it. */
export type PublishConversationEvent = <Key extends ConversationEventKey>(
  key: Key,
  body: ConversationEvent<Key>,
) => Promise<unknown>;

/**
 * One inbound voice call, whole: the customer, the queue leg, the agent alerted and answering, a hold,
 * the hang-up and the wrap-up, each step after the gap a real call leaves (about 34 s in all).
 */
export async function playVoiceCall(
  publish: PublishConversationEvent,
  parties: { agentId: string; sourceId: string; queueId: string; wrapupCode: string },
): Promise<void> {
  const conversationId = randomUUID();
  const customer = randomUUID();
  const queueLeg = randomUUID();
  const agentLeg = randomUUID();
  const source = { sourceId: parties.sourceId, interactionId: `bench-${conversationId.slice(0, 8)}` };
  const event =
    <Key extends ConversationEventKey>(key: Key, fields: object, gapMs: number) =>
    async () => {
      await sleep(gapMs);
      const body = {
        eventId: randomUUID(),
        eventDateTime: new Date().toISOString(),
        conversationId,
        ...fields,
      };
      await publish(key, body as ConversationEvent<Key>);
    };
  const steps = [
    event(
      'externalEstablishedEvents',
      {
        communicationId: customer,
        initialConfiguration: { inbound: true },
        sourceConfiguration: source,
        ani: 'tel:+15550100',
      },
      0,
    ),
    event(
      'routingEstablishedEvents',
      {
        communicationId: queueLeg,
        queueId: parties.queueId,
        initialConfiguration: { inbound: true },
        sourceConfiguration: source,
      },
      500,
    ),
    event(
      'userEstablishedEvents',
      {
        communicationId: agentLeg,
        userId: parties.agentId,
        initialConfiguration: { inbound: true, alerting: true },
        sourceConfiguration: source,
      },
      2_000,
    ),
    event('communicationEndedEvents', { communicationId: queueLeg, disconnectType: 'Transfer' }, 1_000),
    event('communicationAnsweredEvents', { communicationId: agentLeg }, 0),
    event('holdUpdatedEvents', { communicationId: customer, held: true }, 10_000),
    event('holdUpdatedEvents', { communicationId: customer, held: false }, 5_000),
    event('communicationEndedEvents', { communicationId: customer, disconnectType: 'Peer' }, 10_000),
    event('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Peer' }, 0),
    event(
      'communicationDispositionAppliedEvents',
      { communicationId: agentLeg, code: parties.wrapupCode },
      5_000,
    ),
  ];
  for (const step of steps) await step();
}
