/**
 * The ordering heart of an agent workflow, as pure functions over plain, serialisable state (it crosses
 * continue-as-new): deduplicate by the vendor's eventId over a window longer than any redelivery, hold
 * each event for a short reorder window so stragglers can slot in before it, and hand events out
 * strictly in (occurredAt, sequence) order. An event earlier than what Genesys already accepted for its
 * stream, or older than Genesys's 7-day limit, cannot be injected: it is reported, never sent.
 */
import type { AgentEvent, AgentStreamKind } from '../activities/events/agent-event';

/** Windows of an agent stream. */
export interface AgentStreamSettings {
  /** How long an event waits for earlier stragglers before it may be published. */
  reorderWindowMs: number;
  /** How long an eventId is remembered; longer than any upstream redelivery. */
  dedupWindowMs: number;
  /** Genesys refuses events older than this (business rule 2). */
  maxEventAgeMs: number;
}

/** An accepted event waiting its turn. */
export interface PendingAgentEvent {
  event: AgentEvent;
  /** Workflow time it arrived: its reorder window runs from here. */
  arrivedAtMs: number;
  occurredAtMs: number;
  /** Arrival order, the last tie-breaker. */
  arrival: number;
}

/** Everything the ordering keeps; plain data so it can cross continue-as-new. */
export interface AgentStreamState {
  pending: PendingAgentEvent[];
  /** eventId → workflow time first seen. */
  seen: Record<string, number>;
  /** Per stream, the occurredAt (ms) of the last event Genesys accepted. */
  watermarks: Partial<Record<AgentStreamKind, number>>;
  arrivals: number;
}

/** What became of an offered event. */
export type AgentEventAdmission =
  | { outcome: 'queued' }
  | { outcome: 'duplicate' }
  | { outcome: 'late'; reason: string }
  | { outcome: 'tooOld'; reason: string };

/** An empty stream. */
export function emptyAgentStream(): AgentStreamState {
  return { pending: [], seen: {}, watermarks: {}, arrivals: 0 };
}

/** The order events are published in: occurredAt, then sequence, then arrival. */
function compare(a: PendingAgentEvent, b: PendingAgentEvent): number {
  return (
    a.occurredAtMs - b.occurredAtMs ||
    (a.event.sequence ?? Number.MAX_SAFE_INTEGER) - (b.event.sequence ?? Number.MAX_SAFE_INTEGER) ||
    a.arrival - b.arrival
  );
}

/** Offers one event; a queued one waits in order for {@link nextDue}. */
export function admitAgentEvent(
  state: AgentStreamState,
  event: AgentEvent,
  nowMs: number,
  settings: AgentStreamSettings,
): AgentEventAdmission {
  if (state.seen[event.eventId] !== undefined) return { outcome: 'duplicate' };
  state.seen[event.eventId] = nowMs;
  const occurredAtMs = Date.parse(event.occurredAt);
  if (occurredAtMs < nowMs - settings.maxEventAgeMs) {
    return { outcome: 'tooOld', reason: `occurred at ${event.occurredAt}, past Genesys's 7-day limit` };
  }
  const watermark = state.watermarks[event.change.kind];
  if (watermark !== undefined && occurredAtMs < watermark) {
    return {
      outcome: 'late',
      reason: `occurred at ${event.occurredAt}, before ${new Date(watermark).toISOString()}, the last ${event.change.kind} Genesys accepted`,
    };
  }
  const pending: PendingAgentEvent = { event, arrivedAtMs: nowMs, occurredAtMs, arrival: state.arrivals++ };
  const index = state.pending.findIndex((other) => compare(pending, other) < 0);
  if (index < 0) state.pending.push(pending);
  else state.pending.splice(index, 0, pending);
  return { outcome: 'queued' };
}

/**
 * The next event to publish, once its reorder window has passed; otherwise how long to wait. Only the
 * earliest pending event can be next, whatever the windows of the others.
 */
export function nextDue(
  state: AgentStreamState,
  nowMs: number,
  settings: AgentStreamSettings,
): { due: PendingAgentEvent } | { waitMs: number } | undefined {
  const head = state.pending[0];
  if (!head) return undefined;
  const dueAt = head.arrivedAtMs + settings.reorderWindowMs;
  return dueAt <= nowMs ? { due: head } : { waitMs: dueAt - nowMs };
}

/** Takes a published (or given up) event out of the queue; an accepted one moves its stream's watermark. */
export function settleAgentEvent(
  state: AgentStreamState,
  pending: PendingAgentEvent,
  accepted: boolean,
): void {
  state.pending = state.pending.filter((other) => other.event.eventId !== pending.event.eventId);
  if (!accepted) return;
  const kind = pending.event.change.kind;
  state.watermarks[kind] = Math.max(state.watermarks[kind] ?? Number.NEGATIVE_INFINITY, pending.occurredAtMs);
}

/** Forgets eventIds older than the deduplication window. */
export function forgetOldEventIds(
  state: AgentStreamState,
  nowMs: number,
  settings: AgentStreamSettings,
): void {
  const cutoff = nowMs - settings.dedupWindowMs;
  for (const [eventId, seenAtMs] of Object.entries(state.seen)) {
    if (seenAtMs < cutoff) delete state.seen[eventId];
  }
}
