/**
 * The ordering heart of the agent and conversation workflows, as pure functions over plain, serialisable
 * state (it crosses continue-as-new): deduplicate by the vendor's eventId over a window longer than any
 * redelivery, hold each event for a short reorder window so stragglers can slot in before it, and hand
 * events out strictly in (occurredAt, sequence) order. An event earlier than what Genesys already
 * accepted for its stream (an agent's presence or routing status; a conversation), or older than
 * Genesys's 7-day limit, cannot be injected: it is reported, never sent.
 */
import type { AgentEvent } from '../domain/events/agent-event';
import { forgetSeenBefore, markSeen, unmarkSeen, type SeenIds } from './seen-ids';

/** What the ordering needs of an event: every normalised event has it. */
export interface StreamEvent {
  eventId: string;
  occurredAt: string;
  sequence?: number;
}

/** Windows of an event stream. */
export interface EventStreamSettings {
  /** How long an event waits for earlier stragglers before it may be published. */
  reorderWindowMs: number;
  /** How long an eventId is remembered; longer than any upstream redelivery. */
  dedupWindowMs: number;
  /** Genesys refuses events older than this (business rule 2). */
  maxEventAgeMs: number;
}

/** An accepted event waiting its turn. */
export interface PendingEvent<E extends StreamEvent> {
  event: E;
  /** When the bridge received it (at the latest, when it reached the workflow): its reorder window runs from here. */
  arrivedAtMs: number;
  occurredAtMs: number;
  /** Arrival order, the last tie-breaker. */
  arrival: number;
}

/** Everything the ordering keeps; plain data so it can cross continue-as-new. */
export interface EventStreamState<E extends StreamEvent> {
  pending: PendingEvent<E>[];
  /** The eventIds seen in the deduplication window, compactly (see seen-ids.ts). */
  seen: SeenIds;
  /** Per stream (e.g. presence, routingStatus), the occurredAt (ms) of the last event Genesys accepted. */
  watermarks: Record<string, number>;
  /** Per stream, the eventDateTime (ms) the last event went out with: see {@link stampEvent}. */
  stamps: Record<string, number>;
  arrivals: number;
}

/**
 * An event as the bridge hands it to a workflow: with the time the bridge first received it. The reorder
 * window runs from that receipt, not from the signal's arrival, so an ingress that held the event for the
 * window before signalling (as the bridge's does) hands over events that are due at once: no durable timer
 * per event.
 */
export interface ReceivedEvent<E extends StreamEvent> {
  event: E;
  /** Epoch ms the bridge received the event (the sender's clock; never later than its arrival counts). */
  receivedAtMs: number;
}

/** What became of an offered event. */
export type EventAdmission =
  | { outcome: 'queued' }
  | { outcome: 'duplicate' }
  | { outcome: 'late'; reason: string }
  | { outcome: 'tooOld'; reason: string };

/** An empty stream. */
export function emptyStream<E extends StreamEvent>(): EventStreamState<E> {
  return { pending: [], seen: [], watermarks: {}, stamps: {}, arrivals: 0 };
}

/** The order events are published in: occurredAt, then sequence, then arrival. */
function compare<E extends StreamEvent>(a: PendingEvent<E>, b: PendingEvent<E>): number {
  return (
    a.occurredAtMs - b.occurredAtMs ||
    (a.event.sequence ?? Number.MAX_SAFE_INTEGER) - (b.event.sequence ?? Number.MAX_SAFE_INTEGER) ||
    a.arrival - b.arrival
  );
}

/**
 * Offers one event of `stream`; a queued one waits in order for {@link nextDue}. `receivedAtMs` is when the
 * bridge received it (default: now); a receipt "later" than now (another machine's clock) counts as now.
 */
export function admitEvent<E extends StreamEvent>(
  state: EventStreamState<E>,
  event: E,
  stream: string,
  nowMs: number,
  settings: EventStreamSettings,
  receivedAtMs = nowMs,
): EventAdmission {
  if (!markSeen(state.seen, event.eventId, nowMs, settings.dedupWindowMs)) return { outcome: 'duplicate' };
  const occurredAtMs = Date.parse(event.occurredAt);
  if (occurredAtMs < nowMs - settings.maxEventAgeMs) {
    return { outcome: 'tooOld', reason: `occurred at ${event.occurredAt}, past Genesys's 7-day limit` };
  }
  const watermark = state.watermarks[stream];
  if (watermark !== undefined && occurredAtMs < watermark) {
    return {
      outcome: 'late',
      reason: `occurred at ${event.occurredAt}, before ${new Date(watermark).toISOString()}, the last ${stream} Genesys accepted`,
    };
  }
  const pending: PendingEvent<E> = {
    event,
    arrivedAtMs: Math.min(receivedAtMs, nowMs),
    occurredAtMs,
    arrival: state.arrivals++,
  };
  const index = state.pending.findIndex((other) => compare(pending, other) < 0);
  if (index < 0) state.pending.push(pending);
  else state.pending.splice(index, 0, pending);
  return { outcome: 'queued' };
}

/**
 * The next event to publish, once its reorder window has passed; otherwise how long to wait. Only the
 * earliest pending event can be next, whatever the windows of the others.
 */
export function nextDue<E extends StreamEvent>(
  state: EventStreamState<E>,
  nowMs: number,
  settings: EventStreamSettings,
): { due: PendingEvent<E> } | { waitMs: number } | undefined {
  const head = state.pending[0];
  if (!head) return undefined;
  const dueAt = head.arrivedAtMs + settings.reorderWindowMs;
  return dueAt <= nowMs ? { due: head } : { waitMs: dueAt - nowMs };
}

/**
 * Every event that may be published now, in order: the pending events from the head on whose reorder
 * windows have passed (one whose window has not stops the run, as it may still see a straggler slot in
 * before it); otherwise how long until the head is due.
 */
export function takeDue<E extends StreamEvent>(
  state: EventStreamState<E>,
  nowMs: number,
  settings: EventStreamSettings,
): { due: PendingEvent<E>[] } | { waitMs: number } | undefined {
  const next = nextDue(state, nowMs, settings);
  if (next === undefined || 'waitMs' in next) return next;
  const end = state.pending.findIndex((pending) => pending.arrivedAtMs + settings.reorderWindowMs > nowMs);
  return { due: state.pending.slice(0, end < 0 ? undefined : end) };
}

/**
 * Takes a published (or given up) event out of the queue; one Genesys accepted (`acceptedStream` named)
 * moves that stream's watermark.
 */
export function settleEvent<E extends StreamEvent>(
  state: EventStreamState<E>,
  pending: PendingEvent<E>,
  acceptedStream?: string,
): void {
  state.pending = state.pending.filter((other) => other.event.eventId !== pending.event.eventId);
  if (acceptedStream === undefined) return;
  state.watermarks[acceptedStream] = Math.max(
    state.watermarks[acceptedStream] ?? Number.NEGATIVE_INFINITY,
    pending.occurredAtMs,
  );
}

/**
 * The times (epoch ms) `count` events that occurred at `occurredAtMs` go out to Genesys with: that time, or
 * a millisecond after the one before (`lastStampMs` for the first) if that is later. Genesys leaves the
 * order of equal times to chance, so times increase strictly within a stream (an agent's presence or
 * routing status, a conversation), ties broken by the order the stream publishes in.
 */
export function stampTimes(count: number, occurredAtMs: number, lastStampMs: number): number[] {
  const times: number[] = [];
  let last = lastStampMs;
  for (let index = 0; index < count; index++) {
    last = Math.max(occurredAtMs, last + 1);
    times.push(last);
  }
  return times;
}

/**
 * The eventDateTime an event of the ordered stream goes out with ({@link stampTimes}; the stream's publish
 * order is occurredAt, then sequence, then arrival).
 */
export function stampEvent<E extends StreamEvent>(
  state: EventStreamState<E>,
  pending: PendingEvent<E>,
  stream: string,
): string {
  const [stampMs] = stampTimes(1, pending.occurredAtMs, state.stamps[stream] ?? Number.NEGATIVE_INFINITY);
  state.stamps[stream] = stampMs!;
  return new Date(stampMs!).toISOString();
}

/** An agent's stream: presence and routing status ordered separately, as Genesys orders them. */
export type AgentStreamState = EventStreamState<AgentEvent>;
/** An agent event waiting its turn. */
export type PendingAgentEvent = PendingEvent<AgentEvent>;
/** Windows of an agent stream. */
export type AgentStreamSettings = EventStreamSettings;
/** An empty agent stream. */
export const emptyAgentStream: () => AgentStreamState = emptyStream;

/** Offers one agent event to its presence or routing-status stream. */
export function admitAgentEvent(
  state: AgentStreamState,
  event: AgentEvent,
  nowMs: number,
  settings: EventStreamSettings,
  receivedAtMs = nowMs,
): EventAdmission {
  return admitEvent(state, event, event.change.kind, nowMs, settings, receivedAtMs);
}

/** Settles an agent event; an accepted one moves its stream's watermark. */
export function settleAgentEvent(
  state: AgentStreamState,
  pending: PendingAgentEvent,
  accepted: boolean,
): void {
  settleEvent(state, pending, accepted ? pending.event.change.kind : undefined);
}

/** Forgets eventIds older than the deduplication window (at most an hour of a day's window later). */
export function forgetOldEventIds<E extends StreamEvent>(
  state: EventStreamState<E>,
  nowMs: number,
  settings: EventStreamSettings,
): void {
  forgetSeenBefore(state.seen, nowMs, settings.dedupWindowMs);
}

/** Forgets one eventId, so the event may be offered again (an operator's retry). */
export function forgetEventId<E extends StreamEvent>(state: EventStreamState<E>, eventId: string): void {
  unmarkSeen(state.seen, eventId);
}
