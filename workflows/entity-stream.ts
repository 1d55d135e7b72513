/**
 * The stream core both entity workflows (an agent's, a conversation's) run their events through: the
 * inbox their signal fills, admission into the ordered event stream (duplicates counted, late and too-old
 * events recorded), the ledger of what was not delivered and the counters of it all. Pure: no Temporal
 * import, the clock and the metric injected; its state is plain data, so it crosses continue-as-new as is.
 */
import {
  admitEvent,
  emptyStream,
  forgetEventId,
  forgetOldEventIds,
  type EventAdmission,
  type EventStreamSettings,
  type EventStreamState,
  type ReceivedEvent,
  type StreamEvent,
} from './event-stream';

/** Settings both entity workflows have: their stream's windows, and how they look up and publish. */
export interface EntityWorkflowSettings extends EventStreamSettings {
  /** How often what has no Genesys id (or a conflicting one) is looked up again without being told. */
  mappingRetryMs: number;
  /** How long one publish attempt may take before it is abandoned and retried with the same Genesys ids. */
  publishTimeoutMs: number;
}

/** Defaults of {@link EntityWorkflowSettings}. */
export const defaultEntityWorkflowSettings: EntityWorkflowSettings = {
  reorderWindowMs: 2_000,
  dedupWindowMs: 24 * 3_600_000,
  maxEventAgeMs: 7 * 24 * 3_600_000,
  mappingRetryMs: 10 * 60_000,
  publishTimeoutMs: 30_000,
};

/** Counts every entity stream keeps (each workflow adds its own, e.g. published or applied). */
export interface StreamCounters {
  received: number;
  duplicates: number;
  late: number;
  tooOld: number;
  skipped: number;
}

/** What every ledger entry says; `D` adds how the entity names the event (an agent's kind, a step's type). */
export type StreamLedgerEntry<O extends string, D> = {
  eventId: string;
  occurredAt: string;
  outcome: O;
  reason: string;
  recordedAt: string;
} & D;

/** How many entries a ledger keeps; the oldest go first. */
export const ledgerSize = 200;
/** How many of the latest ledger entries a status query shows. */
export const ledgerShown = 50;

/** Everything the core keeps: plain, serialisable data. */
export interface EntityStreamState<E extends StreamEvent, C extends StreamCounters, L> {
  stream: EventStreamState<E>;
  /** Events signalled and not admitted yet: signal handlers only enqueue, the workflow admits in order. */
  inbox: ReceivedEvent<E>[];
  counters: C;
  ledger: L[];
}

/** How one workflow uses the core. */
export interface EntityStreamOptions<E extends StreamEvent, C extends StreamCounters, O extends string, D> {
  /** State carried over (continue-as-new), or a fresh start's counters. */
  state: EntityStreamState<E, C, StreamLedgerEntry<O, D>> | { counters: C };
  settings: EventStreamSettings;
  /** Which ordered stream an event belongs to (an agent's presence or routing status; the conversation). */
  streamOf: (event: E) => string;
  /** How the ledger names an event. */
  describe: (event: E, outcome: O) => D;
  /** Told of every count taken (the workflow's metric). */
  counted: (outcome: string) => void;
  /** Epoch ms now (inside a workflow, workflow time). */
  now: () => number;
}

/** The core of one entity workflow: its state and what the workflow does with it. */
export interface EntityStream<E extends StreamEvent, C extends StreamCounters, O extends string, D> {
  readonly state: EntityStreamState<E, C, StreamLedgerEntry<O, D>>;
  /** Adds one to a counter (and tells the metric). */
  count(outcome: keyof C & string): void;
  /** Puts an event in the ledger; an outcome the counters have a count for is counted too. */
  record(event: E, outcome: O, reason: string): void;
  /** Moves the inbox into the ordered stream, in arrival order; answers how many events arrived. */
  admitArrivals(): number;
  /** Offers an event again (an operator's retry): its id is forgotten first; a late or too-old one is recorded. */
  readmit(event: E): EventAdmission;
  /** Events not delivered yet, signalled or queued. */
  pending(): number;
  /** The latest ledger entries, as a status query shows them. */
  recentLedger(): StreamLedgerEntry<O, D>[];
}

/** The core of an entity workflow, over carried state or a fresh one. */
export function entityStream<E extends StreamEvent, C extends StreamCounters, O extends string, D>(
  // Admission records late and too-old events: the entity's outcomes must name them.
  options: EntityStreamOptions<E, C, O, D> & ('late' | 'tooOld' extends O ? unknown : never),
): EntityStream<E, C, O, D> {
  const { settings, streamOf, describe, counted, now } = options;
  const carried = 'stream' in options.state ? options.state : undefined;
  const state: EntityStreamState<E, C, StreamLedgerEntry<O, D>> = {
    stream: carried?.stream ?? emptyStream<E>(),
    inbox: [...(carried?.inbox ?? [])],
    counters: options.state.counters,
    ledger: [...(carried?.ledger ?? [])],
  };
  // Counted by name: every count is a number (StreamCounters and what each workflow adds).
  const counters = state.counters as unknown as Record<string, number>;

  const count = (outcome: keyof C & string) => {
    counters[outcome]!++;
    counted(outcome);
  };
  const record = (event: E, outcome: O, reason: string) => {
    if (outcome in counters) count(outcome as keyof C & string);
    const entry: StreamLedgerEntry<O, D> = {
      eventId: event.eventId,
      occurredAt: event.occurredAt,
      outcome,
      reason,
      recordedAt: new Date(now()).toISOString(),
      ...describe(event, outcome),
    };
    state.ledger.push(entry);
    if (state.ledger.length > ledgerSize) state.ledger.splice(0, state.ledger.length - ledgerSize);
  };
  /** Admits one event; the ones Genesys cannot take any more go to the ledger. */
  const admit = (event: E, receivedAtMs?: number): EventAdmission => {
    const admission = admitEvent(state.stream, event, streamOf(event), now(), settings, receivedAtMs);
    if (admission.outcome === 'duplicate') count('duplicates');
    else if (admission.outcome === 'late' || admission.outcome === 'tooOld') {
      record(event, admission.outcome as O, admission.reason);
    }
    return admission;
  };

  return {
    state,
    count,
    record,
    admitArrivals() {
      const arrived = state.inbox.splice(0);
      for (const { event, receivedAtMs } of arrived) {
        count('received');
        admit(event, receivedAtMs);
      }
      forgetOldEventIds(state.stream, now(), settings);
      return arrived.length;
    },
    readmit(event) {
      forgetEventId(state.stream, event.eventId);
      return admit(event);
    },
    pending: () => state.stream.pending.length + state.inbox.length,
    recentLedger: () => state.ledger.slice(-ledgerShown),
  };
}

/** The first line of a workflow's details in the Web UI: who, the status and why. */
export function headline(entity: string, status: string, message: string | undefined): string {
  return `**${entity}** — ${status}${message ? `: ${message}` : ''}`;
}
