/**
 * What both mixes of the generated contact centre share: the shape of the traffic, the timed events
 * they yield, the random draws they make and how they write an agent's or an interaction's event.
 */
import type { Random } from '../../simulator/random';

/** A break agents take between interactions: its presence state, how often it is chosen, how long it lasts. */
export interface BreakKind {
  /** The presence state at the source (mapped to a Genesys presence by the directory). */
  state: string;
  /** Its share of all breaks (the shares are weights; they need not add up to 1). */
  share: number;
  /** Its mean length in ms, before `timeScale`. */
  meanMs: number;
}

/** The traffic to play. */
export interface LoadShape {
  source: string;
  /**
   * `realistic` (the default): each agent's shift simulated — interactions go only to free agents on
   * queue who are members of the interaction's queue, breaks are taken only between interactions.
   * `uniform`: the old load — presence changes and interactions drawn independently of each other.
   */
  mix?: 'realistic' | 'uniform';
  /** External agent ids (`agent-N` of the generated contact centre). */
  agents: string[];
  /** External queue ids. */
  queues: string[];
  /** The queues each agent is a member of (the directory's); an agent not named here is in every queue. */
  agentQueues?: Readonly<Record<string, readonly string[]>>;
  /** External wrap-up code ids. */
  wrapupCodes: string[];
  /**
   * Presence changes a minute across all agents. Realistic: a break is two of them (leaving the queue,
   * coming back); uniform: each also gives a routing-status change.
   */
  presenceChangesPerMinute: number;
  /** New interactions a second. */
  interactionsPerSecond: number;
  /** Share of interactions that are calls (the rest are emails). */
  voiceShare: number;
  /** The presence state at the source that means On Queue (mapped to Genesys's OnQueue). */
  onQueueState: string;
  /** The breaks agents take (realistic: between interactions; uniform: the other presence states). */
  breaks: BreakKind[];
  /** Where a call's recording is fetched from. */
  recordingUrl: (interactionId: string) => string;
  /** The recording's size, when known (the event then carries it as `sizeBytes`). */
  recordingBytes?: number;
  /** Multiplies every duration (queue wait, talk, wrap-up, break, patience): < 1 plays them faster. */
  timeScale: number;
  seed: number;
  /** Prefixes every event and interaction id: two runs of one seed must not look like redeliveries. */
  runId: string;
}

/** One event and when to send it. */
export interface TimedEvent {
  atMs: number;
  event: Record<string, unknown> & { kind: 'agent' | 'conversation'; eventId: string };
}

/** Routing statuses an agent event carries. */
export type RoutingStatus = 'OffQueue' | 'Idle' | 'Interacting' | 'Communicating' | 'NotResponding';

/** Poisson arrivals at `ratePerMs` in [from, to), on whole milliseconds. */
export function arrivals(random: Random, ratePerMs: number, from: number, to: number): number[] {
  const times: number[] = [];
  if (!(ratePerMs > 0)) return times;
  for (let at = from + exponential(random, ratePerMs); at < to; at += exponential(random, ratePerMs)) {
    times.push(Math.floor(at));
  }
  return times;
}

/** An exponentially distributed wait at `ratePerMs`. */
export function exponential(random: Random, ratePerMs: number): number {
  return -Math.log(1 - random()) / ratePerMs;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function between(random: Random, fromMs: number, toMs: number): number {
  return fromMs + random() * (toMs - fromMs);
}

/** One of `kinds` drawn by their shares. */
export function pickByShare(random: Random, kinds: readonly BreakKind[]): BreakKind {
  const total = kinds.reduce((sum, kind) => sum + kind.share, 0);
  let draw = random() * total;
  for (const kind of kinds) {
    draw -= kind.share;
    if (draw < 0) return kind;
  }
  return kinds.at(-1)!;
}

/** Mints the run's event ids, each unique within the run. */
export function idMinter(runId: string): (prefix: string) => string {
  let serial = 0;
  return (prefix) => `${runId}-${prefix}-${(serial++).toString(36)}`;
}

/**
 * An agent's change as the adapter sends it: a presence state (optional) and the routing status that
 * goes with it, at one instant. Two events of one agent at one instant carry `sequence` (presence
 * first), as a vendor's per-agent counter would.
 */
export function agentChange(
  shape: Pick<LoadShape, 'source'>,
  agentId: string,
  atMs: number,
  change: { presence?: string; routing: RoutingStatus },
  eventId: (prefix: string) => string,
): TimedEvent[] {
  const base = {
    kind: 'agent' as const,
    source: shape.source,
    agentId,
    occurredAt: new Date(atMs).toISOString(),
  };
  const presence =
    change.presence === undefined
      ? []
      : [
          {
            atMs,
            event: {
              ...base,
              eventId: eventId('presence'),
              change: { kind: 'presence', state: change.presence },
            },
          },
        ];
  const routing = {
    atMs,
    event: {
      ...base,
      eventId: eventId('routing'),
      ...(change.presence === undefined ? {} : { sequence: 1 }),
      change: { kind: 'routingStatus', status: change.routing },
    },
  };
  return [...presence, routing];
}

/** One step of an interaction as the adapter sends it. */
export function conversationStep(
  shape: Pick<LoadShape, 'source'>,
  interaction: { interactionId: string; channel: 'voice' | 'email' },
  atMs: number,
  change: Record<string, unknown>,
  eventId: string,
): TimedEvent {
  return {
    atMs,
    event: {
      kind: 'conversation',
      source: shape.source,
      channel: interaction.channel,
      interactionId: interaction.interactionId,
      eventId,
      occurredAt: new Date(atMs).toISOString(),
      change,
    },
  };
}

/** The first step of an inbound call. */
export function callStarted(random: Random): Record<string, unknown> {
  return {
    type: 'started',
    direction: 'inbound',
    ani: `+1555${Math.floor(random() * 1e7)}`,
    dnis: '+18005550100',
  };
}

/** The first step of an inbound email. */
export function emailReceived(random: Random): Record<string, unknown> {
  return {
    type: 'received',
    to: ['support@contact-centre.example'],
    from: `customer-${Math.floor(random() * 1e6)}@example.org`,
    subject: 'Order enquiry',
  };
}

/** A call's recording, ready to fetch. */
export function recordingReady(shape: LoadShape, interactionId: string): Record<string, unknown> {
  return {
    type: 'recordingReady',
    url: shape.recordingUrl(interactionId),
    contentType: 'audio/wav',
    ...(shape.recordingBytes === undefined ? {} : { sizeBytes: shape.recordingBytes }),
  };
}
