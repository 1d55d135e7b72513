/**
 * A contact centre's traffic as normalised events, for the main job and the benchmark: agents changing
 * presence (each change followed by its routing status) at a set rate, and interactions starting at a
 * set rate — calls (queued, offered, answered, sometimes held, hung up, wrapped up, recorded) and
 * emails (received, queued, assigned, replied, closed, wrapped up) — each with its full lifecycle.
 * Deterministic for a seed; produced window by window, so an hour at the seed scale never sits in
 * memory at once. Events are stamped with the time they happen; a driver sends each at that time.
 */
import { seededRandom, type Random } from '../simulator/random';

/** The traffic to play. */
export interface LoadShape {
  source: string;
  /** External agent ids (`agent-N` of the generated contact centre). */
  agents: string[];
  /** External queue ids. */
  queues: string[];
  /** External wrap-up code ids. */
  wrapupCodes: string[];
  /** Presence changes a minute across all agents (each also gives a routing-status change). */
  presenceChangesPerMinute: number;
  /** New interactions a second. */
  interactionsPerSecond: number;
  /** Share of interactions that are calls (the rest are emails). */
  voiceShare: number;
  /** Presence states agents move between (the first is the one that takes interactions). */
  presenceStates: string[];
  /** Where a call's recording is fetched from. */
  recordingUrl: (interactionId: string) => string;
  recordingBytes: number;
  /** Multiplies every duration inside an interaction (queue wait, talk, wrap-up): < 1 plays them faster. */
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

/** The defaults of the seed scale: 4,000 agents, 2,000 presence changes a minute, 5 interactions a second. */
export const seedScale: Omit<
  LoadShape,
  'source' | 'agents' | 'queues' | 'wrapupCodes' | 'recordingUrl' | 'runId'
> = {
  presenceChangesPerMinute: 2_000,
  interactionsPerSecond: 5,
  voiceShare: 0.7,
  presenceStates: ['Available', 'Break', 'Lunch', 'Training'],
  recordingBytes: 160_044,
  timeScale: 1,
  seed: 1,
};

/** Plays `shape` from `startMs` for `durationMs`, yielding events in time order. */
export function* contactCentreLoad(
  shape: LoadShape,
  startMs: number,
  durationMs: number,
): Generator<TimedEvent> {
  const random = seededRandom(shape.seed);
  const pending: TimedEvent[] = [];
  const windowMs = 5_000;
  let serial = 0;
  const id = (prefix: string) => `${shape.runId}-${prefix}-${(serial++).toString(36)}`;
  const presence = new Map<string, string>();
  for (let windowStart = startMs; windowStart < startMs + durationMs; windowStart += windowMs) {
    const windowEnd = Math.min(windowStart + windowMs, startMs + durationMs);
    for (const atMs of arrivals(random, shape.presenceChangesPerMinute / 60_000, windowStart, windowEnd)) {
      pending.push(...agentChange(shape, random, atMs, presence, id));
    }
    for (const atMs of arrivals(random, shape.interactionsPerSecond / 1_000, windowStart, windowEnd)) {
      const lifecycle = random() < shape.voiceShare ? call(shape, random, atMs) : email(shape, random, atMs);
      pending.push(...stamp(shape, lifecycle, id));
    }
    pending.sort((a, b) => a.atMs - b.atMs);
    // Everything that happens before the next window is final; later steps wait for their turn.
    while (pending.length > 0 && pending[0]!.atMs < windowEnd) yield pending.shift()!;
  }
  // Lifecycles that started during the run are played to their end.
  yield* pending;
}

/** Poisson arrivals at `ratePerMs` in [from, to). */
function arrivals(random: Random, ratePerMs: number, from: number, to: number): number[] {
  const times: number[] = [];
  for (let at = from + exponential(random, ratePerMs); at < to; at += exponential(random, ratePerMs)) {
    times.push(Math.floor(at));
  }
  return times;
}

function exponential(random: Random, ratePerMs: number): number {
  return -Math.log(1 - random()) / ratePerMs;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: Random, fromMs: number, toMs: number): number {
  return fromMs + random() * (toMs - fromMs);
}

/** An agent moves to another presence state; its routing status follows. */
function agentChange(
  shape: LoadShape,
  random: Random,
  atMs: number,
  presence: Map<string, string>,
  id: (prefix: string) => string,
): TimedEvent[] {
  const agentId = pick(random, shape.agents);
  const current = presence.get(agentId);
  const state = pick(
    random,
    shape.presenceStates.filter((candidate) => candidate !== current),
  );
  presence.set(agentId, state);
  const base = {
    kind: 'agent' as const,
    source: shape.source,
    agentId,
    occurredAt: new Date(atMs).toISOString(),
  };
  return [
    { atMs, event: { ...base, eventId: id('presence'), change: { kind: 'presence', state } } },
    {
      atMs,
      event: {
        ...base,
        eventId: id('routing'),
        sequence: 1,
        change: { kind: 'routingStatus', status: state === shape.presenceStates[0] ? 'Idle' : 'OffQueue' },
      },
    },
  ];
}

type Step = { afterMs: number; change: Record<string, unknown> };

interface Lifecycle {
  channel: 'voice' | 'email';
  startMs: number;
  interactionId: string;
  steps: Step[];
}

function call(shape: LoadShape, random: Random, startMs: number): Lifecycle {
  const interactionId = `${shape.runId}-call-${startMs}-${Math.floor(random() * 1e9).toString(36)}`;
  const agentId = pick(random, shape.agents);
  const scale = (fromMs: number, toMs: number) => between(random, fromMs, toMs) * shape.timeScale;
  const steps: Step[] = [
    {
      afterMs: 0,
      change: {
        type: 'started',
        direction: 'inbound',
        ani: `+1555${Math.floor(random() * 1e7)}`,
        dnis: '+18005550100',
      },
    },
    { afterMs: scale(1_000, 5_000), change: { type: 'queued', queueId: pick(random, shape.queues) } },
    { afterMs: scale(5_000, 30_000), change: { type: 'offered', agentId } },
    { afterMs: scale(2_000, 8_000), change: { type: 'answered', agentId } },
  ];
  if (random() < 0.3) {
    steps.push({ afterMs: scale(10_000, 60_000), change: { type: 'held', agentId } });
    steps.push({ afterMs: scale(5_000, 30_000), change: { type: 'resumed', agentId } });
  }
  steps.push(
    { afterMs: scale(20_000, 180_000), change: { type: 'disconnected', party: { kind: 'customer' } } },
    {
      afterMs: scale(5_000, 30_000),
      change: { type: 'wrapUp', agentId, code: pick(random, shape.wrapupCodes) },
    },
    {
      afterMs: scale(2_000, 10_000),
      change: {
        type: 'recordingReady',
        url: shape.recordingUrl(interactionId),
        contentType: 'audio/wav',
        sizeBytes: shape.recordingBytes,
      },
    },
  );
  return { channel: 'voice', startMs, interactionId, steps };
}

function email(shape: LoadShape, random: Random, startMs: number): Lifecycle {
  const interactionId = `${shape.runId}-email-${startMs}-${Math.floor(random() * 1e9).toString(36)}`;
  const agentId = pick(random, shape.agents);
  const scale = (fromMs: number, toMs: number) => between(random, fromMs, toMs) * shape.timeScale;
  return {
    channel: 'email',
    startMs,
    interactionId,
    steps: [
      {
        afterMs: 0,
        change: {
          type: 'received',
          to: ['support@contact-centre.example'],
          from: `customer-${Math.floor(random() * 1e6)}@example.org`,
          subject: 'Order enquiry',
        },
      },
      { afterMs: scale(1_000, 5_000), change: { type: 'queued', queueId: pick(random, shape.queues) } },
      { afterMs: scale(10_000, 60_000), change: { type: 'assigned', agentId } },
      { afterMs: scale(30_000, 180_000), change: { type: 'replySent', agentId } },
      { afterMs: scale(1_000, 10_000), change: { type: 'closed', agentId, reason: 'resolved' } },
      {
        afterMs: scale(5_000, 30_000),
        change: { type: 'wrapUp', agentId, code: pick(random, shape.wrapupCodes) },
      },
    ],
  };
}

/** The lifecycle's steps as timed events, each a whole millisecond after the one before. */
function stamp(shape: LoadShape, lifecycle: Lifecycle, id: (prefix: string) => string): TimedEvent[] {
  let atMs = lifecycle.startMs;
  return lifecycle.steps.map((step) => {
    atMs = Math.max(atMs + 1, Math.floor(atMs + step.afterMs));
    return {
      atMs,
      event: {
        kind: 'conversation' as const,
        source: shape.source,
        channel: lifecycle.channel,
        interactionId: lifecycle.interactionId,
        eventId: id('step'),
        occurredAt: new Date(atMs).toISOString(),
        change: step.change,
      },
    };
  });
}
