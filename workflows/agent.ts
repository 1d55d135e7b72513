/**
 * agentWorkflow: one per external agent (`agent/<source>/<agentId>`), fed by signal-with-start. It
 * deduplicates the agent's presence and routing-status changes, reorders them within a short window,
 * and publishes them to Genesys strictly in occurrence order — everything due at once in one local
 * activity, presence and routing status side by side — with Genesys event ids derived from the event and
 * the user it goes to, so a retry, an operator's reset or a fresh start after a terminate sends the same
 * ones. What cannot be delivered (late, past 7 days, refused) goes to its ledger, visibly; an unmapped
 * agent waits in WaitingForMapping, an agent whose primary presence source is another source stops in
 * Conflict. It continues as new long before its history grows large.
 */
import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  defineQuery,
  defineSignal,
  defineUpdate,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { AgentChangesPublished, AgentResolution, AgentTarget, BridgeActivities } from '../activities';
import type { AgentChangeOutcome, AgentChangesToPublish } from '../activities/agents';
import type { AgentEvent, AgentStreamKind } from '../domain/events/agent-event';
import {
  settleAgentEvent,
  stampEvent,
  takeDue,
  type AgentStreamState,
  type PendingAgentEvent,
  type ReceivedEvent,
} from './event-stream';
import {
  defaultEntityWorkflowSettings,
  entityStream,
  headline,
  type EntityWorkflowSettings,
  type StreamCounters,
  type StreamLedgerEntry,
} from './entity-stream';
import { Alarms } from './alarms';
import { seenCount } from './seen-ids';
import { directorySyncedSignal } from './directory-signals';
import {
  activityFailure,
  escalationMessage,
  failureReason,
  localPhase,
  locally,
  locallyThenRemotely,
  remotePhase,
  type ActivityOutcomeFailure,
  type CallPolicy,
} from './publishing';
import {
  byoiGenesysId,
  byoiKind,
  byoiReason,
  byoiStatus,
  reasonAttribute,
  startingSearchAttributes,
} from './search-attributes';

/**
 * Changes of the agent as the bridge received them (one signal per agent per ingress hold): durable once
 * Temporal answers, duplicates dropped and counted by the workflow.
 */
export const agentEventsSignal = defineSignal<[ReceivedEvent<AgentEvent>[]]>('agentEvents');
/** What the workflow is doing and what it could not deliver. */
export const agentStatusQuery = defineQuery<AgentStatus>('status');
/** Re-queues the ledger's refused events that can still be delivered; answers how many. */
export const retryDeadLettersUpdate = defineUpdate<{ requeued: number }>('retryDeadLetters');
/** Drops pending events (the given ones, or all) into the ledger as skipped; answers how many. */
export const skipPendingUpdate = defineUpdate<{ skipped: number }, [{ eventIds?: string[] }]>('skipPending');

/** Settings of an agent workflow. */
export interface AgentWorkflowSettings extends EntityWorkflowSettings {
  /**
   * Continue as new after this many history events (Temporal suggests it at about 4,000 too). The worker
   * keeps a cached run's state machines, one per workflow task and local activity, until the run ends:
   * this bounds an agent's memory in the worker as well as its replay.
   */
  continueAsNewAfterHistoryEvents: number;
}

/** Defaults of {@link AgentWorkflowSettings}. */
export const defaultAgentWorkflowSettings: AgentWorkflowSettings = {
  ...defaultEntityWorkflowSettings,
  continueAsNewAfterHistoryEvents: 500,
};

/** Why an event is in the ledger. */
export type LedgerOutcome = 'late' | 'tooOld' | 'rejected' | 'skipped';

/** How an agent's ledger names an event. */
export interface AgentLedgerDetails {
  kind: AgentStreamKind;
  /** Kept for refused events, so an operator can retry them. */
  event?: AgentEvent;
}

/** One event the workflow could not (or was told not to) deliver. */
export type LedgerEntry = StreamLedgerEntry<LedgerOutcome, AgentLedgerDetails>;

/** Counts kept across continue-as-new. */
export interface AgentCounters extends StreamCounters {
  published: number;
  rejected: number;
}

/** The operator-facing state of one agent workflow. */
export interface AgentStatus {
  source: string;
  agentId: string;
  /** `Retrying`: a publish kept failing in the worker and Temporal retries it as a regular activity. */
  status: 'Running' | 'WaitingForMapping' | 'Conflict' | 'Retrying';
  message?: string;
  genesysUserId?: string;
  pending: number;
  counters: AgentCounters;
  lastPublished?: { eventId: string; kind: AgentStreamKind; occurredAt: string };
  ledger: LedgerEntry[];
  /**
   * What the workflow carries: the eventIds it remembers for deduplication (a day's worth), and the size of
   * the state that crosses continue-as-new (JSON bytes), which the worker also holds while it is cached.
   */
  carried: { eventIds: number; bytes: number };
}

/** State carried across continue-as-new. */
export interface CarriedAgentState {
  stream: AgentStreamState;
  inbox: ReceivedEvent<AgentEvent>[];
  counters: AgentCounters;
  ledger: LedgerEntry[];
  lastPublished?: AgentStatus['lastPublished'];
  /** The agent's Genesys user, when it was mapped and no directory sync has questioned it since. */
  mapped?: Extract<AgentResolution, { status: 'mapped' }>;
}

/** What starts (or continues) an agent workflow. */
export interface AgentWorkflowInput {
  source: string;
  agentId: string;
  settings?: Partial<AgentWorkflowSettings>;
  carried?: CarriedAgentState;
}

// Local: the worker answers from the agent directory the sync left, without a request, mostly.
const { resolveAgent } = proxyLocalActivities<BridgeActivities>(
  locally({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  }),
);

/**
 * Publishing retries with backoff (and Retry-After), first in the worker, then as a regular activity,
 * until the oldest of the events would pass Genesys's 7-day limit.
 */
function publishPolicy(due: PendingAgentEvent[], nowMs: number, settings: AgentWorkflowSettings): CallPolicy {
  const oldestMs = Math.min(...due.map((pending) => pending.occurredAtMs));
  const remainingMs = oldestMs + settings.maxEventAgeMs - nowMs - 60_000;
  return {
    startToCloseTimeout: settings.publishTimeoutMs,
    scheduleToCloseTimeout: Math.max(2 * settings.publishTimeoutMs, remainingMs),
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  };
}

/** Publishes one batch of an agent's changes: locally, then, if it keeps failing, as a regular activity. */
function publishAgentChanges(
  request: AgentChangesToPublish,
  policy: CallPolicy,
  onEscalation: (failure: ActivityOutcomeFailure, activityId: string) => void,
): Promise<AgentChangesPublished> {
  const activityId = `publish:${request.changes[0]!.event.eventId}`;
  const summary = `${request.changes.length} change${request.changes.length === 1 ? '' : 's'} of the agent`;
  return locallyThenRemotely(
    () => proxyLocalActivities<BridgeActivities>(localPhase(policy)).publishAgentChanges(request),
    () =>
      proxyActivities<BridgeActivities>({ ...remotePhase(policy), activityId, summary }).publishAgentChanges(
        request,
      ),
    (failure) => onEscalation(failure, activityId),
  );
}

/** Runs one agent's stream until it continues as new. */
export async function agentWorkflow(input: AgentWorkflowInput): Promise<never> {
  const settings: AgentWorkflowSettings = { ...defaultAgentWorkflowSettings, ...input.settings };
  const carried = input.carried;
  // The status query shows one agent's counts; the metric adds them up across agents for dashboards.
  const outcomes = metricMeter.createCounter(
    'byoi_agent_events',
    'events',
    'agent events by outcome: received, published, duplicates, late, tooOld, rejected, skipped, requeued',
  );
  const counted = (outcome: string) => outcomes.add(1, { outcome, source: input.source });
  const events = entityStream<AgentEvent, AgentCounters, LedgerOutcome, AgentLedgerDetails>({
    state: carried ?? {
      counters: { received: 0, published: 0, duplicates: 0, late: 0, tooOld: 0, rejected: 0, skipped: 0 },
    },
    settings,
    // Presence and routing status are ordered separately, as Genesys orders them.
    streamOf: (event) => event.change.kind,
    describe: (event, outcome) => ({ kind: event.change.kind, ...(outcome === 'rejected' ? { event } : {}) }),
    counted,
    now: () => Date.now(),
  });
  const { stream, inbox, counters, ledger } = events.state;
  let lastPublished = carried?.lastPublished;
  let status: AgentStatus['status'] = 'Running';
  let message: string | undefined;
  let resolution: AgentResolution | undefined = carried?.mapped;
  let lookAgain = false;
  const alarms = new Alarms();
  /** A directory sync said the mapping may have changed: skip the worker's cached answer. */
  let directoryChanged = false;

  const timeToContinueAsNew = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewAfterHistoryEvents;
  };
  /** The `ByoiReason` written last; a continued run carries its predecessor's search attributes. */
  let writtenReason = workflowInfo().typedSearchAttributes.get(byoiReason) ?? '';
  const show = (next: AgentStatus['status'], why?: string) => {
    const reason = reasonAttribute(next, why);
    const changed: SearchAttributeUpdatePair[] = [];
    if (next !== status) changed.push({ key: byoiStatus, value: next });
    if (reason !== writtenReason) changed.push({ key: byoiReason, value: reason });
    if (changed.length > 0) upsertSearchAttributes(changed);
    writtenReason = reason;
    status = next;
    message = why;
    setCurrentDetails(
      `${headline(`${input.source}/${input.agentId}`, status, message)}\n\n` +
        `${counters.published} published, ${stream.pending.length} pending, ${counters.duplicates} duplicates, ` +
        `${counters.late + counters.tooOld + counters.rejected + counters.skipped} in the ledger.`,
    );
  };

  setHandler(agentEventsSignal, (events) => {
    // Handlers only enqueue; the main loop admits events in arrival order.
    inbox.push(...events);
  });
  setHandler(directorySyncedSignal, () => {
    lookAgain = true;
    directoryChanged = true;
  });
  setHandler(agentStatusQuery, () => ({
    source: input.source,
    agentId: input.agentId,
    status,
    message,
    genesysUserId: resolution?.status === 'mapped' ? resolution.userId : undefined,
    pending: events.pending(),
    counters,
    lastPublished,
    ledger: events.recentLedger(),
    carried: { eventIds: seenCount(stream.seen), bytes: JSON.stringify(carry()).length },
  }));
  setHandler(retryDeadLettersUpdate, () => {
    let requeued = 0;
    for (const entry of ledger.filter((candidate) => candidate.outcome === 'rejected' && candidate.event)) {
      const event = entry.event!;
      ledger.splice(ledger.indexOf(entry), 1);
      counters.rejected--;
      // One its stream has moved past since (or that aged out) stays in the ledger, as late or tooOld.
      if (events.readmit(event).outcome === 'queued') {
        requeued++;
        counted('requeued');
      }
    }
    return { requeued };
  });
  setHandler(skipPendingUpdate, ({ eventIds }) => {
    const chosen = stream.pending.filter((pending) => !eventIds || eventIds.includes(pending.event.eventId));
    for (const pending of chosen) {
      settleAgentEvent(stream, pending, false);
      events.record(pending.event, 'skipped', 'skipped by an operator');
    }
    return { skipped: chosen.length };
  });

  if (workflowInfo().typedSearchAttributes.get(byoiKind) === undefined) {
    upsertSearchAttributes(startingSearchAttributes('agent', input.source, input.agentId));
  }

  for (;;) {
    events.admitArrivals();
    if (timeToContinueAsNew()) break;

    const next = takeDue(stream, Date.now(), settings);
    if (next === undefined) {
      show(resolution?.status === 'mapped' ? 'Running' : status, message);
      // New events come by signal, or back from the ledger by an operator's retryDeadLetters.
      await condition(() => inbox.length > 0 || stream.pending.length > 0 || timeToContinueAsNew());
      continue;
    }
    if ('waitMs' in next) {
      await alarms.until(() => inbox.length > 0, Date.now() + next.waitMs);
      continue;
    }
    // An agent not resolved yet (or questioned by a directory sync) is resolved by the publish itself.
    const to: AgentTarget =
      resolution?.status === 'mapped' && !lookAgain
        ? { userId: resolution.userId, sourceId: resolution.sourceId }
        : { source: input.source, agentId: input.agentId, fresh: directoryChanged };
    lookAgain = false;
    directoryChanged = false;
    const due = next.due;
    // Times are taken for this publish; given back when nothing of it reached the user it was meant for.
    const stampsBefore = { ...stream.stamps };
    let outcomes: AgentChangeOutcome[];
    // Built once: stamping takes the stream's times, and a retry sends the same request.
    const request: AgentChangesToPublish = {
      to,
      // The activity derives each event's id from the event and the user it goes to (agentEventId), so
      // its retries, and a run begun anew from the same history, carry the same ids and times.
      changes: due.map((pending) => ({
        event: pending.event,
        eventDateTime: stampEvent(stream, pending, pending.event.change.kind),
        receivedAtMs: pending.arrivedAtMs,
      })),
    };
    try {
      const published = await publishAgentChanges(
        request,
        publishPolicy(due, Date.now(), settings),
        (failure, activityId) =>
          show(
            'Retrying',
            escalationMessage('publishing to Genesys', failure, activityId, workflowInfo().workflowId),
          ),
      );
      const known = resolution?.status === 'mapped' ? resolution.userId : undefined;
      resolution = published.resolution;
      if (resolution.status !== 'mapped') {
        stream.stamps = stampsBefore;
        show(
          resolution.status === 'unmapped' ? 'WaitingForMapping' : 'Conflict',
          resolution.status === 'unmapped' ? resolution.reason : resolution.message,
        );
        await alarms.until(() => lookAgain || timeToContinueAsNew(), Date.now() + settings.mappingRetryMs);
        lookAgain = true;
        continue;
      }
      if (resolution.userId !== known)
        upsertSearchAttributes([{ key: byoiGenesysId, value: resolution.userId }]);
      show('Running');
      outcomes = published.outcomes;
    } catch (error) {
      // Retried until the 7-day limit (or a misconfigured worker): every one of them is given up.
      const failure = activityFailure(error);
      if (!failure) throw error;
      const reason = failureReason(failure);
      outcomes = due.map(({ event }) => ({ eventId: event.eventId, outcome: 'rejected', reason }));
    }
    const rejected = outcomes.some((outcome) => outcome.outcome === 'rejected');
    // The user may have been re-created in Genesys since the agent was resolved: ask again, and if the
    // answer differs, the refused events go out again (with that user's ids) to the user Genesys knows now.
    const before = resolution;
    if (rejected && before?.status === 'mapped') {
      resolution = await resolveAgent(input.source, input.agentId, true);
    }
    const moved =
      before?.status === 'mapped' &&
      (resolution?.status !== 'mapped' ||
        resolution.userId !== before.userId ||
        resolution.sourceId !== before.sourceId);
    if (moved && resolution?.status === 'mapped') {
      upsertSearchAttributes([{ key: byoiGenesysId, value: resolution.userId }]);
    }
    // The refused events go out again to the user Genesys knows now, with their own times.
    if (moved) stream.stamps = stampsBefore;
    due.forEach((pending, position) => {
      const outcome = outcomes[position]!;
      const { event } = pending;
      if (outcome.outcome === 'accepted') {
        settleAgentEvent(stream, pending, true);
        events.count('published');
        lastPublished = { eventId: event.eventId, kind: event.change.kind, occurredAt: event.occurredAt };
      } else if (!moved) {
        // Refused for good: recorded, and the stream moves on.
        settleAgentEvent(stream, pending, false);
        events.record(event, 'rejected', outcome.reason);
      }
    });
  }

  // Signals that arrive while handlers finish land in the inbox and travel with it.
  await condition(allHandlersFinished);
  // The next run keeps the workflow-task timeout its first was started with (client/library/task-timeout.ts).
  return makeContinueAsNewFunc<typeof agentWorkflow>({ workflowTaskTimeout: workflowInfo().taskTimeoutMs })({
    source: input.source,
    agentId: input.agentId,
    settings: input.settings,
    carried: carry(),
  });

  function carry(): CarriedAgentState {
    return {
      stream,
      inbox,
      counters,
      ledger,
      lastPublished,
      ...(resolution?.status === 'mapped' && !lookAgain ? { mapped: resolution } : {}),
    };
  }
}
