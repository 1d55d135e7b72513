/**
 * What a load offered, counted as the driver takes each event: agent changes by kind, conversation
 * events, and the interactions they began, for the achieved rates a run reports.
 */
import type { TimedEvent } from './generator';

/** Counts of what was offered. */
export interface OfferedTally {
  presence: number;
  routingStatus: number;
  conversation: number;
  calls: number;
  emails: number;
  /** Presence changes at or after `windowStartMs` and before `windowEndMs`: the load's own, for its rate. */
  presenceInWindow: number;
}

/** A tally with nothing counted yet. */
export function emptyTally(): OfferedTally {
  return { presence: 0, routingStatus: 0, conversation: 0, calls: 0, emails: 0, presenceInWindow: 0 };
}

/**
 * Passes `events` through, counting each into `tally`; presence changes in [start, end) of `window`, when
 * one is given, also count as the window's.
 */
export function* tallied(
  events: Iterable<TimedEvent>,
  tally: OfferedTally,
  window?: { startMs: number; endMs: number },
): Generator<TimedEvent> {
  for (const timed of events) {
    const { event } = timed;
    if (event.kind === 'agent') {
      const kind = (event.change as { kind?: string }).kind;
      if (kind === 'presence') {
        tally.presence++;
        if (window && timed.atMs >= window.startMs && timed.atMs < window.endMs) tally.presenceInWindow++;
      } else if (kind === 'routingStatus') tally.routingStatus++;
    } else {
      tally.conversation++;
      const type = (event.change as { type?: string }).type;
      if (type === 'started') tally.calls++;
      if (type === 'received') tally.emails++;
    }
    yield timed;
  }
}
