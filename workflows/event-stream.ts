/**
 * The ordering heart of the agent and conversation workflows, as pure functions over plain, serialisable
 * state (it crosses continue-as-new): deduplicate by the vendor's eventId over a window longer than any
 * redelivery, hold each event for a short reorder window so stragglers can slot in before it, and hand
 * events out strictly in (occurredAt, sequence) order. An event earlier than what Genesys already
 * accepted for its stream (an agent's presence or routing status; a conversation), or older than
 * Genesys's 7-day limit, cannot be injected: it is reported, never sent.
 */
import type { AgentEvent } from '../activities/events/agent-event';

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
  /** Workflow time it arrived: its reorder window runs from here. */
  arrivedAtMs: number;
  occurredAtMs: number;
  /** Arrival order, the last tie-breaker. */
  arrival: number;
}

/** Everything the ordering keeps; plain data so it can cross continue-as-new. */
export interface EventStreamState<E extends StreamEvent> {
  pending: PendingEvent<E>[];
  /** eventId → workflow time first seen. */
  seen: Record<string, number>;
  /** Per stream (e.g. presence, routingStatus), the occurredAt (ms) of the last event Genesys accepted. */
  watermarks: Record<string, number>;
  arrivals: number;
}

/** What a workflow answers, per event, when events are submitted to it by update. */
export interface EventSubmission {
  eventId: string;
  /** accepted: new, and now held by the workflow (durably, once the update is answered); duplicate: seen before. */
  outcome: 'accepted' | 'duplicate';
}

/**
 * Takes submitted events into a workflow's inbox, answering for each whether it is new: a duplicate is
 * one the stream has seen or that is already waiting in the inbox (also earlier in the same submission).
 */
export function submitToInbox<E extends StreamEvent>(
  state: EventStreamState<E>,
  inbox: E[],
  events: E[],
): EventSubmission[] {
  return events.map((event) => {
    const seen =
      state.seen[event.eventId] !== undefined || inbox.some((waiting) => waiting.eventId === event.eventId);
    if (!seen) inbox.push(event);
    return { eventId: event.eventId, outcome: seen ? 'duplicate' : 'accepted' };
  });
}

/** What became of an offered event. */
export type EventAdmission =
  | { outcome: 'queued' }
  | { outcome: 'duplicate' }
  | { outcome: 'late'; reason: string }
  | { outcome: 'tooOld'; reason: string };

/** An empty stream. */
export function emptyStream<E extends StreamEvent>(): EventStreamState<E> {
  return { pending: [], seen: {}, watermarks: {}, arrivals: 0 };
}

/** The order events are published in: occurredAt, then sequence, then arrival. */
function compare<E extends StreamEvent>(a: PendingEvent<E>, b: PendingEvent<E>): number {
  return (
    a.occurredAtMs - b.occurredAtMs ||
    (a.event.sequence ?? Number.MAX_SAFE_INTEGER) - (b.event.sequence ?? Number.MAX_SAFE_INTEGER) ||
    a.arrival - b.arrival
  );
}

/** Offers one event of `stream`; a queued one waits in order for {@link nextDue}. */
export function admitEvent<E extends StreamEvent>(
  state: EventStreamState<E>,
  event: E,
  stream: string,
  nowMs: number,
  settings: EventStreamSettings,
): EventAdmission {
  if (state.seen[event.eventId] !== undefined) return { outcome: 'duplicate' };
  state.seen[event.eventId] = nowMs;
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
  const pending: PendingEvent<E> = { event, arrivedAtMs: nowMs, occurredAtMs, arrival: state.arrivals++ };
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
): EventAdmission {
  return admitEvent(state, event, event.change.kind, nowMs, settings);
}

/** Settles an agent event; an accepted one moves its stream's watermark. */
export function settleAgentEvent(
  state: AgentStreamState,
  pending: PendingAgentEvent,
  accepted: boolean,
): void {
  settleEvent(state, pending, accepted ? pending.event.change.kind : undefined);
}

/** Forgets eventIds older than the deduplication window. */
export function forgetOldEventIds<E extends StreamEvent>(
  state: EventStreamState<E>,
  nowMs: number,
  settings: EventStreamSettings,
): void {
  const cutoff = nowMs - settings.dedupWindowMs;
  for (const [eventId, seenAtMs] of Object.entries(state.seen)) {
    if (seenAtMs < cutoff) delete state.seen[eventId];
  }
}
