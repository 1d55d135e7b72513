/**
 * A contact centre's traffic as normalised events, for the main job and the benchmark. Two mixes:
 * `realistic` (the default, `load-shift.ts`) simulates every agent's shift — interactions go to free agents
 * On Queue in the interaction's queue, who are Interacting until their wrap-up, and breaks are taken
 * between interactions; `uniform` (`load-uniform.ts`) is the old load, presence changes and interactions
 * drawn independently, kept so the benchmark can compare the two. Either is deterministic for a seed and
 * produced window by window, so an hour at the seed scale never sits in memory at once. Events are
 * stamped with the time they happen; a driver sends each at that time.
 *
 * The realistic mix assumes every agent logged in On Queue and Idle when it starts: send
 * `shiftOpening(shape, startMs)` before `contactCentreLoad(shape, startMs, …)`.
 */
import { readyState } from './contact-centre';
import { agentChange, idMinter, type LoadShape, type TimedEvent } from './events';
import { realisticLoad } from './shift';
import { uniformLoad } from './uniform';

export type { BreakKind, LoadShape, RoutingStatus, TimedEvent } from './events';

/**
 * The defaults of the seed scale: 4,000 agents, 2,000 presence changes a minute, 5 interactions a second.
 * Breaks are short enough (a break 40 s on average, lunch 90 s, training 60 s) that at that rate about a
 * fifth of the agents are away at any time and interactions seldom wait.
 */
export const seedScale: Omit<
  LoadShape,
  'source' | 'agents' | 'queues' | 'wrapupCodes' | 'recordingUrl' | 'runId'
> = {
  mix: 'realistic',
  presenceChangesPerMinute: 2_000,
  interactionsPerSecond: 5,
  voiceShare: 0.7,
  onQueueState: readyState,
  breaks: [
    { state: 'Break', share: 0.6, meanMs: 40_000 },
    { state: 'Lunch', share: 0.2, meanMs: 90_000 },
    { state: 'Training', share: 0.2, meanMs: 60_000 },
  ],
  recordingBytes: 160_044,
  timeScale: 1,
  seed: 1,
};

/** Plays `shape` from `startMs` for `durationMs`, yielding events in time order. */
export function contactCentreLoad(
  shape: LoadShape,
  startMs: number,
  durationMs: number,
): Generator<TimedEvent> {
  return (shape.mix ?? 'realistic') === 'realistic'
    ? realisticLoad(shape, startMs, durationMs)
    : uniformLoad(shape, startMs, durationMs);
}

/**
 * The start of the shift the load assumes: every agent of `shape` logs in at `atMs` — presence On Queue
 * and routing status Idle — so Genesys knows them on queue before the first interaction is offered.
 * The load's own agent events all come later than `atMs` when it starts at `atMs` or after.
 */
export function shiftOpening(shape: LoadShape, atMs: number): TimedEvent[] {
  const eventId = idMinter(`${shape.runId}-opening`);
  return shape.agents.flatMap((agentId) =>
    agentChange(shape, agentId, atMs, { presence: shape.onQueueState, routing: 'Idle' }, eventId),
  );
}
