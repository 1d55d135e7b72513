/**
 * The uniform mix: the load the benchmark was first measured with, kept so both can be compared. Presence
 * changes (each followed by its routing status) and interactions are drawn independently: an agent may
 * handle a call while on a break, and two calls at once. Cheap to make and a fair test of throughput, but
 * not a contact centre; the realistic mix (`load-shift.ts`) is one.
 */
import { seededRandom, type Random } from '../../simulator/random';
import {
  agentChange,
  arrivals,
  between,
  callStarted,
  conversationStep,
  emailReceived,
  idMinter,
  pick,
  recordingReady,
  type LoadShape,
  type TimedEvent,
} from './events';

/** Plays `shape`'s uniform mix from `startMs` for `durationMs`, yielding events in time order. */
export function* uniformLoad(shape: LoadShape, startMs: number, durationMs: number): Generator<TimedEvent> {
  const random = seededRandom(shape.seed);
  const pending: TimedEvent[] = [];
  const windowMs = 5_000;
  const id = idMinter(shape.runId);
  const states = [shape.onQueueState, ...shape.breaks.map((kind) => kind.state)];
  const presence = new Map<string, string>();
  for (let windowStart = startMs; windowStart < startMs + durationMs; windowStart += windowMs) {
    const windowEnd = Math.min(windowStart + windowMs, startMs + durationMs);
    for (const atMs of arrivals(random, shape.presenceChangesPerMinute / 60_000, windowStart, windowEnd)) {
      const agentId = pick(random, shape.agents);
      const current = presence.get(agentId);
      const state = pick(
        random,
        states.filter((candidate) => candidate !== current),
      );
      presence.set(agentId, state);
      pending.push(
        ...agentChange(
          shape,
          agentId,
          atMs,
          { presence: state, routing: state === shape.onQueueState ? 'Idle' : 'OffQueue' },
          id,
        ),
      );
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
    { afterMs: 0, change: callStarted(random) },
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
    { afterMs: scale(2_000, 10_000), change: recordingReady(shape, interactionId) },
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
      { afterMs: 0, change: emailReceived(random) },
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
    return conversationStep(shape, lifecycle, atMs, step.change, id('step'));
  });
}
