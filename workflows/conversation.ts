/**
 * conversationWorkflow: one per external interaction (`conversation/<source>/<interactionId>`), fed by
 * signal-with-start. It deduplicates the interaction's lifecycle events, reorders them within a short
 * window, translates each step into the Genesys conversation events of the contract (every Genesys id
 * minted once, here, and reused on every retry) and publishes them strictly in order. A step the product
 * cannot express, or one Genesys refuses, stops the conversation in Blocked until an operator retries,
 * skips or abandons; parties without a Genesys id wait in WaitingForMapping. After the last leg ends it
 * waits (bounded) for the agents' wrap-ups and, for an answered call, its recording, which it uploads;
 * then it completes. It never outlives its conversation: an event after completion belongs to nobody.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  BridgeActivities,
  GenesysConversationEvent,
  RecordingToUpload,
  UploadedRecording,
} from '../activities';
import type { InteractionEvent } from '../domain/events/interaction-event';
import {
  awaitingWrapUp,
  closeAll,
  describeLifecycle,
  hasEnded,
  referencesOf,
  translate,
  type LifecycleState,
  type PlannedEvent,
  type ResolvedIds,
  type Translation,
} from './conversation-lifecycle';
import { Alarms } from './alarms';
import { directorySyncedSignal } from './directory-signals';
import { activityFailure, failureReason, locally } from './publishing';
import {
  admitEvent,
  emptyStream,
  forgetOldEventIds,
  nextDue,
  settleEvent,
  stampTimes,
  type EventStreamSettings,
  type PendingEvent,
  type ReceivedEvent,
} from './event-stream';
import {
  byoiChannel,
  byoiGenesysId,
  byoiKind,
  byoiStatus,
  startingSearchAttributes,
} from './search-attributes';

/**
 * Steps of the interaction as the bridge received them (one signal per conversation per ingress hold):
 * durable once Temporal answers, duplicates dropped and counted by the workflow.
 */
export const interactionEventsSignal = defineSignal<[ReceivedEvent<InteractionEvent>[]]>('interactionEvents');
/** Where the conversation stands and what it could not deliver. */
export const conversationStatusQuery = defineQuery<ConversationStatus>('status');
/** Tries the blocked event again (after a fix, e.g. a mapping); refused when nothing is blocked. */
export const retryBlockedUpdate = defineUpdate<{ eventId: string }>('retry');
/** Drops a pending event (by default the blocked one) into the ledger as skipped. */
export const skipEventUpdate = defineUpdate<{ eventId: string }, [{ eventId?: string }]>('skipEvent');
/** Gives the conversation up: its live legs are ended in Genesys and the workflow completes. */
export const abandonUpdate = defineUpdate<{ legsEnded: number }, [{ reason: string }]>('abandon');

/** Settings of a conversation workflow. */
export interface ConversationWorkflowSettings extends EventStreamSettings {
  /** After the last leg ends, how long agents who handled the interaction have to wrap up. */
  wrapUpWaitMs: number;
  /** After an answered call ends, how long its recording has to become ready. */
  recordingWaitMs: number;
  /** Which calls are expected to have a recording: those an agent answered, every call, or none. */
  expectRecording: 'answered' | 'always' | 'never';
  /** How long events may wait for the step that starts the conversation before it is given up as orphaned. */
  startWaitMs: number;
  /** How often parties without a Genesys id are looked up again without being told. */
  mappingRetryMs: number;
  /** How long one publish attempt may take before it is abandoned and retried with the same ids. */
  publishTimeoutMs: number;
  /** How long one recording upload attempt may take. */
  uploadTimeoutMs: number;
  /** How long an upload may go without a heartbeat before its worker is taken for dead and it is retried. */
  uploadHeartbeatTimeoutMs: number;
}

/** Defaults of {@link ConversationWorkflowSettings}. */
export const defaultConversationWorkflowSettings: ConversationWorkflowSettings = {
  reorderWindowMs: 2_000,
  dedupWindowMs: 24 * 3_600_000,
  maxEventAgeMs: 7 * 24 * 3_600_000,
  wrapUpWaitMs: 30 * 60_000,
  recordingWaitMs: 2 * 3_600_000,
  expectRecording: 'answered',
  startWaitMs: 3_600_000,
  mappingRetryMs: 10 * 60_000,
  publishTimeoutMs: 30_000,
  uploadTimeoutMs: 30 * 60_000,
  uploadHeartbeatTimeoutMs: 30_000,
};

/** Where the conversation stands. */
export type ConversationPhase =
  | 'Running'
  | 'WaitingForMapping'
  | 'Blocked'
  | 'WaitingForWrapUp'
  | 'WaitingForRecording'
  | 'UploadingRecording'
  | 'Completed'
  | 'RecordingMissing'
  | 'RecordingFailed'
  | 'Abandoned'
  | 'Orphaned';

/** Why an event is in the ledger. */
export type ConversationLedgerOutcome = 'late' | 'tooOld' | 'skipped' | 'afterAbandon';

/** One event the workflow could not (or was told not to) deliver. */
export interface ConversationLedgerEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  outcome: ConversationLedgerOutcome;
  reason: string;
  recordedAt: string;
}

/** Counts of what happened to the interaction's events. */
export interface ConversationCounters {
  received: number;
  duplicates: number;
  /** Source events translated and accepted by Genesys. */
  applied: number;
  /** Genesys events accepted. */
  genesysEvents: number;
  late: number;
  tooOld: number;
  skipped: number;
}

/** The recording, as far as it got. */
export interface RecordingStatus {
  state: 'notExpected' | 'waiting' | 'ready' | 'uploading' | 'uploaded' | 'missing' | 'failed';
  url?: string;
  sizeBytes?: number;
  uploaded?: UploadedRecording;
  reason?: string;
}

/** The operator-facing state of one conversation workflow. */
export interface ConversationStatus {
  source: string;
  interactionId: string;
  channel?: 'voice' | 'email';
  status: ConversationPhase;
  message?: string;
  conversationId?: string;
  /** The event that is blocked, and why. */
  blocked?: { eventId: string; type: string; kind: BlockKind; reason: string };
  legs: LifecycleState['legs'];
  pending: number;
  counters: ConversationCounters;
  lastApplied?: { eventId: string; type: string; occurredAt: string };
  recording: RecordingStatus;
  ledger: ConversationLedgerEntry[];
}

/** What the workflow returns. */
export type ConversationResult = Omit<ConversationStatus, 'pending' | 'blocked'>;

/** What starts a conversation workflow. */
export interface ConversationWorkflowInput {
  source: string;
  interactionId: string;
  /**
   * The Genesys conversation id, minted by whoever starts the workflow so that the id is searchable from
   * the start (`ByoiGenesysId`); minted by the workflow when absent.
   */
  conversationId?: string;
  settings?: Partial<ConversationWorkflowSettings>;
}

type BlockKind = 'unmapped' | 'unsupported' | 'rejected';

/** A translated step on its way to Genesys: kept, so a retry sends the same events with the same ids. */
interface StepInFlight {
  eventId: string;
  state: LifecycleState;
  events: GenesysConversationEvent[];
}

/** The only stream of a conversation: Genesys orders a conversation's events as one. */
const conversationStream = 'conversation';
const ledgerSize = 200;

// Local: the worker answers from the agent directory and its cached listings, without a request, mostly.
const { resolveConversationParties } = proxyLocalActivities<BridgeActivities>(
  locally({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  }),
);

/** Runs one interaction's conversation until it is settled. */
export async function conversationWorkflow(input: ConversationWorkflowInput): Promise<ConversationResult> {
  const settings: ConversationWorkflowSettings = {
    ...defaultConversationWorkflowSettings,
    ...input.settings,
  };
  const stream = emptyStream<InteractionEvent>();
  const inbox: ReceivedEvent<InteractionEvent>[] = [];
  const counters: ConversationCounters = {
    received: 0,
    duplicates: 0,
    applied: 0,
    genesysEvents: 0,
    late: 0,
    tooOld: 0,
    skipped: 0,
  };
  const ledger: ConversationLedgerEntry[] = [];
  const ids: ResolvedIds = { users: {}, queues: {}, wrapupCodes: {} };
  let sourceId: string | undefined;
  let lifecycle: LifecycleState | undefined;
  let inFlight: StepInFlight | undefined;
  let blocked: ConversationStatus['blocked'];
  /** While a party has no Genesys id: when to look again without being told. */
  let lookAgainAtMs = Infinity;
  let retryRequested = false;
  /** An operator's update changed what the loop should do next. */
  let operatorActed = false;
  let directoryChanged = false;
  let abandonReason: string | undefined;
  let firstArrivalMs: number | undefined;
  let endedAtMs: number | undefined;
  let lastApplied: ConversationStatus['lastApplied'];
  const recording: RecordingStatus = { state: 'notExpected' };
  let recordingSource: Omit<RecordingToUpload, 'conversationId' | 'communicationId'> | undefined;
  let phase: ConversationPhase = 'Running';
  /** Search attributes set since they were last written, by name. */
  const unwritten = new Map<string, SearchAttributeUpdatePair>();
  const alarms = new Alarms();
  /** The main loop has ended: no update can change the conversation any more. */
  let finished = false;
  /** The conversation's final status is set. */
  let settled = false;
  let message: string | undefined;

  // The status query shows one conversation's counts; the metric adds them up for dashboards.
  const outcomes = metricMeter.createCounter(
    'byoi_conversation_events',
    'events',
    'interaction events by outcome: received, duplicates, applied, late, tooOld, skipped',
  );
  const count = (outcome: Exclude<keyof ConversationCounters, 'genesysEvents'>) => {
    counters[outcome]++;
    outcomes.add(1, { outcome, source: input.source });
  };
  const record = (event: InteractionEvent, outcome: ConversationLedgerOutcome, reason: string) => {
    if (outcome !== 'afterAbandon') count(outcome);
    ledger.push({
      eventId: event.eventId,
      type: `${event.channel}.${event.change.type}`,
      occurredAt: event.occurredAt,
      outcome,
      reason,
      recordedAt: new Date().toISOString(),
    });
    if (ledger.length > ledgerSize) ledger.splice(0, ledger.length - ledgerSize);
  };
  // Written before each wait, and only then, all in one upsert: a phase that ends within the workflow task
  // that began it is never searched for, so it costs no history event.
  let writtenPhase: ConversationPhase = phase;
  const writeAttributes = () => {
    if (phase !== writtenPhase) unwritten.set(byoiStatus.name, { key: byoiStatus, value: phase });
    writtenPhase = phase;
    if (unwritten.size > 0) upsertSearchAttributes([...unwritten.values()]);
    unwritten.clear();
  };
  const show = (next: ConversationPhase, why?: string) => {
    phase = next;
    message = why;
    const where = lifecycle ? describeLifecycle(lifecycle) : 'a conversation that has not started';
    setCurrentDetails(
      `**${input.source}/${input.interactionId}** — ${phase}${message ? `: ${message}` : ''}\n\n` +
        `${lifecycle ? `Genesys conversation ${lifecycle.conversationId}, ` : ''}${where}. ` +
        `${counters.applied} steps applied (${counters.genesysEvents} Genesys events), ` +
        `${stream.pending.length + inbox.length} pending, ${ledger.length} in the ledger; recording ${recording.state}.` +
        (phase === 'Blocked'
          ? '\n\nAn operator can `retry` (after a fix), `skipEvent` or `abandon` (workflow updates).'
          : ''),
    );
  };
  const block = (head: PendingEvent<InteractionEvent>, kind: BlockKind, reason: string) => {
    blocked = {
      eventId: head.event.eventId,
      type: `${head.event.channel}.${head.event.change.type}`,
      kind,
      reason,
    };
    lookAgainAtMs = kind === 'unmapped' ? Date.now() + settings.mappingRetryMs : Infinity;
    show(kind === 'unmapped' ? 'WaitingForMapping' : 'Blocked', reason);
  };
  const snapshot = (): ConversationResult => ({
    source: input.source,
    interactionId: input.interactionId,
    channel: lifecycle?.channel,
    status: phase,
    message,
    conversationId: lifecycle?.conversationId,
    legs: lifecycle?.legs ?? [],
    counters,
    lastApplied,
    recording,
    ledger: ledger.slice(-50),
  });

  setHandler(interactionEventsSignal, (events) => {
    // Handlers only enqueue; the main loop admits events in arrival order.
    inbox.push(...events);
  });
  setHandler(directorySyncedSignal, () => {
    directoryChanged = true;
  });
  setHandler(conversationStatusQuery, () => ({
    ...snapshot(),
    blocked,
    pending: stream.pending.length + inbox.length,
  }));
  setHandler(
    retryBlockedUpdate,
    () => {
      retryRequested = true;
      operatorActed = true;
      return { eventId: blocked!.eventId };
    },
    {
      validator: () => {
        if (finished || !blocked) throw new Error(`nothing is blocked: the conversation is ${phase}`);
      },
    },
  );
  setHandler(
    skipEventUpdate,
    ({ eventId }) => {
      const chosen = eventId ?? blocked!.eventId;
      const pending = stream.pending.find((each) => each.event.eventId === chosen)!;
      settleEvent(stream, pending);
      record(pending.event, 'skipped', 'skipped by an operator');
      if (inFlight?.eventId === chosen) inFlight = undefined;
      if (blocked?.eventId === chosen) blocked = undefined;
      operatorActed = true;
      return { eventId: chosen };
    },
    {
      validator: ({ eventId }: { eventId?: string }) => {
        if (finished) throw new Error(`the conversation has ended ${phase}`);
        if (eventId === undefined && !blocked)
          throw new Error('name the eventId to skip: nothing is blocked');
        const chosen = eventId ?? blocked!.eventId;
        if (!stream.pending.some((each) => each.event.eventId === chosen)) {
          throw new Error(`event ${chosen} is not pending`);
        }
      },
    },
  );
  setHandler(
    abandonUpdate,
    async ({ reason }) => {
      abandonReason = reason;
      await condition(() => settled);
      return { legsEnded: lifecycle?.legs.filter((leg) => leg.ended).length ?? 0 };
    },
    {
      validator: ({ reason }) => {
        if (typeof reason !== 'string' || reason.trim() === '') throw new Error('give a reason to abandon');
        if (finished) throw new Error(`the conversation has ended ${phase}`);
      },
    },
  );

  if (workflowInfo().typedSearchAttributes.get(byoiKind) === undefined) {
    upsertSearchAttributes(
      startingSearchAttributes(
        'conversation',
        input.source,
        input.interactionId,
        undefined,
        input.conversationId,
      ),
    );
  }

  /** Resolves what a step names that is not known yet; undefined once everything is. */
  const unresolved = async (event: InteractionEvent, fresh: boolean): Promise<string | undefined> => {
    const references = referencesOf(event);
    const parties = {
      source: input.source,
      agents: references.agents.filter((id) => ids.users[id] === undefined),
      queues: references.queues.filter((id) => ids.queues[id] === undefined),
      wrapupCodes: references.wrapupCodes.filter((id) => ids.wrapupCodes[id] === undefined),
    };
    const known = parties.agents.length + parties.queues.length + parties.wrapupCodes.length === 0;
    if (known && sourceId !== undefined) return undefined;
    const resolution = await resolveConversationParties({ ...parties, fresh });
    if (resolution.status === 'unmapped') return `no Genesys id yet for ${resolution.missing.join(', ')}`;
    sourceId = resolution.sourceId;
    Object.assign(ids.users, resolution.users);
    Object.assign(ids.queues, resolution.queues);
    Object.assign(ids.wrapupCodes, resolution.wrapupCodes);
    return undefined;
  };

  /** Gives each planned event its eventId and time (see stampTimes: strictly increasing in the conversation). */
  let lastStampMs = -Infinity;
  const stamp = (planned: PlannedEvent[], occurredAt: string): GenesysConversationEvent[] => {
    const times = stampTimes(planned.length, Date.parse(occurredAt), lastStampMs);
    lastStampMs = times.at(-1) ?? lastStampMs;
    return planned.map(
      (each, index) =>
        ({
          key: each.key,
          event: { ...each.event, eventId: uuid4(), eventDateTime: new Date(times[index]!).toISOString() },
        }) as GenesysConversationEvent,
    );
  };

  /** Publishes a translated step; answers Genesys's refusal, or undefined once it accepted all of it. */
  const publish = async (step: StepInFlight, summary: string): Promise<string | undefined> => {
    try {
      if (step.events.length > 0) {
        await publishStep.executeWithOptions({ ...publishing, summary }, [step.events]);
      }
    } catch (error) {
      const failure = activityFailure(error);
      if (!failure) throw error;
      return failureReason(failure);
    }
    const started = lifecycle === undefined;
    lifecycle = step.state;
    counters.genesysEvents += step.events.length;
    // The bridge's ingress sets both when it starts the workflow; anything else that started it, here.
    if (started) {
      const known = workflowInfo().typedSearchAttributes;
      for (const pair of [
        { key: byoiChannel, value: lifecycle.channel },
        { key: byoiGenesysId, value: lifecycle.conversationId },
      ]) {
        if (known.get(pair.key) !== pair.value) unwritten.set(pair.key.name, pair);
      }
    }
    return undefined;
  };
  // A retried step resends its events with the same ids; what Genesys accepted the worker does not resend.
  const publishing = locally({
    startToCloseTimeout: settings.publishTimeoutMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const publishStep = proxyLocalActivities<BridgeActivities>(publishing).publishConversationStep;

  /** Takes the head event one step further; false when it is blocked. */
  const apply = async (head: PendingEvent<InteractionEvent>, fresh: boolean): Promise<boolean> => {
    const { event } = head;
    const type = `${event.channel}.${event.change.type}`;
    if (inFlight?.eventId !== event.eventId) {
      const missing = await unresolved(event, fresh);
      if (missing !== undefined) {
        block(head, 'unmapped', missing);
        return false;
      }
      const translation: Translation = translate(lifecycle, event, {
        sourceId: sourceId!,
        ids,
        mint: uuid4,
        conversationId: input.conversationId,
        afterCallWork: settings.wrapUpWaitMs > 0,
      });
      if (!translation.ok) {
        block(head, 'unsupported', translation.reason);
        return false;
      }
      inFlight = {
        eventId: event.eventId,
        state: translation.state,
        events: stamp(translation.events, event.occurredAt),
      };
    }
    show('Running');
    const refusal = await publish(inFlight, type);
    if (refusal !== undefined) {
      block(head, 'rejected', refusal);
      return false;
    }
    inFlight = undefined;
    blocked = undefined;
    settleEvent(stream, head, conversationStream);
    count('applied');
    lastApplied = { eventId: event.eventId, type, occurredAt: event.occurredAt };
    if (event.change.type === 'recordingReady') {
      const { url, contentType, sizeBytes, md5 } = event.change;
      recordingSource = { url, contentType, sizeBytes, ...(md5 === undefined ? {} : { md5 }) };
      if (recording.state !== 'uploaded') Object.assign(recording, { state: 'ready', url, sizeBytes });
    }
    if (lifecycle && hasEnded(lifecycle)) endedAtMs ??= Date.now();
    return true;
  };

  const recordingExpected = () =>
    lifecycle?.channel === 'voice' &&
    (settings.expectRecording === 'always' ||
      (settings.expectRecording === 'answered' &&
        lifecycle.legs.some((leg) => leg.role === 'agent' && leg.answered)));
  // A recording offered for a call nobody answered (an IVR's, say) is uploaded too, though not awaited.
  const recordingSettled = () =>
    recording.state === 'uploaded' ||
    recording.state === 'missing' ||
    recording.state === 'failed' ||
    (!recordingExpected() && recording.state === 'notExpected');

  const uploading: ActivityOptions = {
    startToCloseTimeout: settings.uploadTimeoutMs,
    heartbeatTimeout: settings.uploadHeartbeatTimeoutMs,
    // A source or Genesys that stays down for a day is an operator's problem, not a retry's.
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  };
  const { uploadRecording } = proxyActivities<BridgeActivities>(uploading);
  const upload = async () => {
    const customer = lifecycle!.legs.find((leg) => leg.role === 'customer') ?? lifecycle!.legs[0]!;
    Object.assign(recording, { state: 'uploading' });
    show('UploadingRecording');
    writeAttributes();
    try {
      const uploaded = await uploadRecording.executeWithOptions(
        {
          ...uploading,
          summary: `recording of ${lifecycle!.conversationId} (${recordingSource!.sizeBytes} bytes)`,
        },
        [
          {
            ...recordingSource!,
            conversationId: lifecycle!.conversationId,
            communicationId: customer.communicationId,
          },
        ],
      );
      Object.assign(recording, { state: 'uploaded', uploaded });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      Object.assign(recording, { state: 'failed', reason: failureReason(error) });
    }
  };

  for (;;) {
    for (const { event, receivedAtMs } of inbox.splice(0)) {
      count('received');
      firstArrivalMs ??= Date.now();
      const admission = admitEvent(stream, event, conversationStream, Date.now(), settings, receivedAtMs);
      if (admission.outcome === 'duplicate') count('duplicates');
      else if (admission.outcome !== 'queued') record(event, admission.outcome, admission.reason);
    }
    forgetOldEventIds(stream, Date.now(), settings);
    if (abandonReason !== undefined) break;

    const next = nextDue(stream, Date.now(), settings);
    const head = next !== undefined && 'due' in next ? next.due : undefined;
    if (head && (blocked?.eventId !== head.event.eventId || retryRequested || directoryChanged)) {
      const fresh = directoryChanged;
      retryRequested = false;
      directoryChanged = false;
      await apply(head, fresh);
      continue;
    }
    const ended = lifecycle !== undefined && hasEnded(lifecycle);
    if (ended && recording.state === 'ready') {
      await upload();
      continue;
    }
    const wrapUpDue = (endedAtMs ?? Infinity) + settings.wrapUpWaitMs;
    const recordingDue = (endedAtMs ?? Infinity) + settings.recordingWaitMs;
    if (ended && !recordingSettled() && recording.state !== 'uploading' && Date.now() >= recordingDue) {
      Object.assign(recording, {
        state: 'missing',
        reason: `no recording was ready within ${settings.recordingWaitMs / 60_000} minutes of the end of the call`,
      });
    }
    const waitingForWrapUp = ended && Date.now() < wrapUpDue ? awaitingWrapUp(lifecycle!) : [];
    if (ended && next === undefined && waitingForWrapUp.length === 0 && recordingSettled()) break;
    const startDue = lifecycle === undefined ? (firstArrivalMs ?? Infinity) + settings.startWaitMs : Infinity;
    if (Date.now() >= startDue) break;

    if (ended && next === undefined) {
      if (waitingForWrapUp.length > 0) {
        show(
          'WaitingForWrapUp',
          `waiting for ${waitingForWrapUp.map((id) => `agent ${id}`).join(', ')} to wrap up`,
        );
      } else {
        show('WaitingForRecording', 'waiting for the recording-ready event of the call');
      }
    }
    const wakeAt = Math.min(
      next !== undefined && 'waitMs' in next ? Date.now() + next.waitMs : Infinity,
      waitingForWrapUp.length > 0 ? wrapUpDue : Infinity,
      ended && !recordingSettled() ? recordingDue : Infinity,
      startDue,
      blocked?.kind === 'unmapped' ? lookAgainAtMs : Infinity,
    );
    // Nothing waits on a mapping here (a step that did would be the head): a sync changes nothing now.
    directoryChanged = false;
    operatorActed = false;
    const wake = () => inbox.length > 0 || operatorActed || directoryChanged || abandonReason !== undefined;
    writeAttributes();
    await alarms.until(wake, wakeAt);
    if (blocked?.kind === 'unmapped' && Date.now() >= lookAgainAtMs) retryRequested = true;
  }

  // From here no update is taken; a signal that still arrives is recorded below, not applied.
  finished = true;
  if (abandonReason !== undefined) {
    if (lifecycle && !hasEnded(lifecycle)) {
      const closing = closeAll(lifecycle, input.interactionId, { sourceId: sourceId!, ids, mint: uuid4 });
      const at = new Date(Math.max(Date.now(), Date.parse(lastApplied?.occurredAt ?? ''))).toISOString();
      const refusal = closing.ok
        ? await publish(
            { eventId: 'abandon', state: closing.state, events: stamp(closing.events, at) },
            'ending the live legs of an abandoned conversation',
          )
        : closing.reason;
      if (refusal !== undefined) abandonReason += `; ending its live legs in Genesys failed: ${refusal}`;
    }
    for (const pending of stream.pending)
      record(pending.event, 'afterAbandon', `abandoned: ${abandonReason}`);
    show('Abandoned', abandonReason);
  } else if (lifecycle === undefined) {
    for (const pending of stream.pending) {
      record(
        pending.event,
        'skipped',
        `nothing started the conversation within ${settings.startWaitMs / 60_000} minutes`,
      );
    }
    show('Orphaned', `no event started the conversation; ${stream.pending.length} events never applied`);
  } else if (recording.state === 'missing') show('RecordingMissing', recording.reason);
  else if (recording.state === 'failed') show('RecordingFailed', recording.reason);
  else show('Completed');
  writeAttributes();
  settled = true;
  await condition(allHandlersFinished);
  for (const { event } of inbox.splice(0))
    record(event, 'skipped', `arrived after the conversation ended ${phase}`);
  return snapshot();
}
