/**
 * conversationWorkflow: one per external interaction (`conversation/<source>/<interactionId>`), fed by
 * signal-with-start. It deduplicates the interaction's lifecycle events, reorders them within a short
 * window, translates each step into the Genesys conversation events of the contract (every Genesys id
 * derived from the interaction and the step, so a retry, an operator's reset or a fresh start after a
 * terminate sends the same ones) and publishes them strictly in order. A step the product
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
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  BridgeActivities,
  GenesysConversationEvent,
  RecordingToUpload,
  StepOrigin,
  UploadedRecording,
} from '../activities';
import type { InteractionEvent } from '../domain/events/interaction-event';
import {
  conversationEventId,
  conversationIdMinter,
  conversationIdOf,
  type ConversationStepKey,
} from '../domain/genesys/derived-ids';
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
} from './conversation-lifecycle';
import {
  defaultConversationWorkflowSettings,
  type BlockKind,
  type ConversationCounters,
  type ConversationLedgerDetails,
  type ConversationLedgerOutcome,
  type ConversationPhase,
  type ConversationResult,
  type ConversationStatus,
  type ConversationWorkflowInput,
  type ConversationWorkflowSettings,
  type RecordingStatus,
} from './conversation-status';
import { holdMessage, lateNotice, stalledReason, wrapUpHold } from './conversation-late-steps';
import { Alarms } from './alarms';
import { directorySyncedSignal } from './directory-signals';
import { entityStream, headline } from './entity-stream';
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
import { nextDue, settleEvent, stampTimes, type PendingEvent, type ReceivedEvent } from './event-stream';
import {
  byoiChannel,
  byoiGenesysId,
  byoiKind,
  byoiReason,
  byoiStatus,
  reasonAttribute,
  routingAttributes,
  startingSearchAttributes,
} from './search-attributes';

export * from './conversation-status';

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

/** The activities a conversation runs, with their timeouts and retry policies. */
function conversationActivities(settings: ConversationWorkflowSettings) {
  // Local: the worker answers from the agent directory and its cached listings, without a request, mostly.
  const resolving = locally({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  // A retried step resends its events with the same ids; what Genesys accepted the worker does not resend.
  // It retries until an operator acts: a conversation cannot skip a step.
  const publishing: CallPolicy = {
    startToCloseTimeout: settings.publishTimeoutMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  };
  const uploading: ActivityOptions = {
    startToCloseTimeout: settings.uploadTimeoutMs,
    heartbeatTimeout: settings.uploadHeartbeatTimeoutMs,
    // A source or Genesys that stays down for a day is an operator's problem, not a retry's. At most a
    // minute apart: at seed load under faults, calls whose attempts failed a few times (a worker killed, a
    // source stalling) sat in 5-minute backoffs long after the faults had passed.
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  };
  const { resolveConversationParties } = proxyLocalActivities<BridgeActivities>(resolving);
  const { uploadRecording } = proxyActivities<BridgeActivities>(uploading);
  return {
    resolveConversationParties,
    /** Publishes a step locally, then, if it keeps failing, as the regular activity `activityId`. */
    publishStep: (
      events: GenesysConversationEvent[],
      summary: string,
      activityId: string,
      onEscalation: (failure: ActivityOutcomeFailure) => void,
      origin?: StepOrigin,
    ) =>
      locallyThenRemotely(
        () =>
          proxyLocalActivities<BridgeActivities>({
            ...localPhase(publishing),
            summary,
          }).publishConversationStep(events, origin),
        () =>
          proxyActivities<BridgeActivities>({
            ...remotePhase(publishing),
            activityId,
            summary,
          }).publishConversationStep(events, origin),
        onEscalation,
      ),
    uploadRecording: (recording: RecordingToUpload, summary: string) =>
      uploadRecording.executeWithOptions({ ...uploading, summary }, [recording]),
  };
}

/** The call's steps: Genesys orders a conversation's events as one stream. */
const conversationStream = 'conversation';
/**
 * A recording-ready event publishes nothing, so it stands outside the steps' order: a vendor dates it by
 * the end of the call (Twilio) or the record's last update (Amazon Connect), and it may arrive after the
 * wrap-up was applied, or before a step dated earlier.
 */
const streamOf = (event: InteractionEvent) =>
  event.change.type === 'recordingReady' ? 'recording' : conversationStream;

/** A translated step on its way to Genesys: kept, so a retry sends the same events with the same ids. */
interface StepInFlight {
  eventId: string;
  state: LifecycleState;
  events: GenesysConversationEvent[];
  /** The source event's receipt, for its age at publish (an abandon's closing step has none). */
  origin?: StepOrigin;
}

/** Everything a conversation workflow keeps besides its events (those are in its stream core). */
interface ConversationState {
  /** Where the Genesys conversation stands, as Genesys accepted it; undefined until it has started. */
  lifecycle?: LifecycleState;
  sourceId?: string;
  ids: ResolvedIds;
  inFlight?: StepInFlight;
  blocked?: ConversationStatus['blocked'];
  lastApplied?: ConversationStatus['lastApplied'];
  /** The eventDateTime (ms) the last Genesys event went out with (see stampTimes). */
  lastStampMs: number;
  firstArrivalMs?: number;
  endedAtMs?: number;
  /** `waiting` while a recording is expected and not ready, `notExpected` while none is (see expectationChanged). */
  recording: RecordingStatus;
  recordingSource?: Omit<RecordingToUpload, 'source' | 'conversationId' | 'communicationId'>;
  phase: ConversationPhase;
  message?: string;
  /** While a party has no Genesys id: when to look again without being told. */
  lookAgainAtMs: number;
  retryRequested: boolean;
  /** An operator's update changed what the workflow should do next. */
  operatorActed: boolean;
  directoryChanged: boolean;
  abandonReason?: string;
  /** The phases are over: no update can change the conversation any more. */
  finished: boolean;
  /** The conversation's final status is set. */
  settled: boolean;
  /** Search attributes set since they were last written, by name, and the status last written. */
  unwritten: Map<string, SearchAttributeUpdatePair>;
  writtenPhase: ConversationPhase;
  /** The `ByoiReason` last written. */
  writtenReason: string;
}

/** Runs one interaction's conversation until it is settled. */
export async function conversationWorkflow(input: ConversationWorkflowInput): Promise<ConversationResult> {
  const settings: ConversationWorkflowSettings = {
    ...defaultConversationWorkflowSettings,
    ...input.settings,
  };
  const activities = conversationActivities(settings);
  const conversationId = input.conversationId ?? conversationIdOf(input.source, input.interactionId);
  // The status query shows one conversation's counts; the metric adds them up for dashboards.
  const outcomes = metricMeter.createCounter(
    'byoi_conversation_events',
    'events',
    'interaction events by outcome: received, duplicates, applied, late, tooOld, skipped',
  );
  const events = entityStream<
    InteractionEvent,
    ConversationCounters,
    ConversationLedgerOutcome,
    ConversationLedgerDetails
  >({
    state: {
      counters: { received: 0, duplicates: 0, applied: 0, genesysEvents: 0, late: 0, tooOld: 0, skipped: 0 },
    },
    settings,
    streamOf,
    describe: (event) => ({ type: stepType(event) }),
    counted: (outcome) => outcomes.add(1, { outcome, source: input.source }),
    now: () => Date.now(),
  });
  const { stream, counters } = events.state;
  const state: ConversationState = {
    ids: { users: {}, queues: {}, wrapupCodes: {} },
    lastStampMs: -Infinity,
    recording: { state: 'notExpected' },
    phase: 'Running',
    lookAgainAtMs: Infinity,
    retryRequested: false,
    operatorActed: false,
    directoryChanged: false,
    finished: false,
    settled: false,
    unwritten: new Map(),
    writtenPhase: 'Running',
    writtenReason: '',
  };
  const alarms = new Alarms();

  setHandler(interactionEventsSignal, (received) => {
    // Handlers only enqueue; the phases admit events in arrival order.
    events.state.inbox.push(...received);
  });
  setHandler(directorySyncedSignal, () => {
    state.directoryChanged = true;
  });
  setHandler(conversationStatusQuery, () => ({
    ...snapshot(),
    blocked: state.blocked,
    pending: events.pending(),
  }));
  setHandler(
    retryBlockedUpdate,
    () => {
      state.retryRequested = true;
      state.operatorActed = true;
      return { eventId: state.blocked!.eventId };
    },
    {
      validator: () => {
        if (state.finished || !state.blocked) {
          throw new Error(`nothing is blocked: the conversation is ${state.phase}`);
        }
      },
    },
  );
  setHandler(
    skipEventUpdate,
    ({ eventId }) => {
      const chosen = eventId ?? state.blocked!.eventId;
      const pending = stream.pending.find((each) => each.event.eventId === chosen)!;
      settleEvent(stream, pending);
      events.record(pending.event, 'skipped', 'skipped by an operator');
      if (state.inFlight?.eventId === chosen) state.inFlight = undefined;
      if (state.blocked?.eventId === chosen) state.blocked = undefined;
      state.operatorActed = true;
      return { eventId: chosen };
    },
    {
      validator: ({ eventId }: { eventId?: string }) => {
        if (state.finished) throw new Error(`the conversation has ended ${state.phase}`);
        if (eventId === undefined && !state.blocked) {
          throw new Error('name the eventId to skip: nothing is blocked');
        }
        const chosen = eventId ?? state.blocked!.eventId;
        if (!stream.pending.some((each) => each.event.eventId === chosen)) {
          throw new Error(`event ${chosen} is not pending`);
        }
      },
    },
  );
  setHandler(
    abandonUpdate,
    async ({ reason }) => {
      state.abandonReason = reason;
      await condition(() => state.settled);
      return { legsEnded: state.lifecycle?.legs.filter((leg) => leg.ended).length ?? 0 };
    },
    {
      validator: ({ reason }) => {
        if (typeof reason !== 'string' || reason.trim() === '') throw new Error('give a reason to abandon');
        if (state.finished) throw new Error(`the conversation has ended ${state.phase}`);
      },
    },
  );

  if (workflowInfo().typedSearchAttributes.get(byoiKind) === undefined) {
    upsertSearchAttributes(
      startingSearchAttributes('conversation', input.source, input.interactionId, undefined, conversationId),
    );
  }

  // The process. Each phase applies the events that come due meanwhile; an operator's abandon ends any.
  if (await applyUntilEnded()) {
    await wrapUps();
    await recording();
    await applyRemaining();
  }
  return await settle();

  /**
   * Applies events until the last leg ends; false when the conversation was abandoned or never started.
   * With nothing pending it says what late steps did, and whether they left it unable to end by itself.
   */
  async function applyUntilEnded(): Promise<boolean> {
    await applyUntil({
      done: ended,
      deadlineMs: startDeadlineMs,
      idle: () => {
        if (state.lifecycle === undefined) return;
        const stalled = stalledReason(state.lifecycle, events.state.ledger);
        if (stalled !== undefined) return show('Stalled', stalled);
        const notice = lateNotice(events.state.ledger);
        if (notice !== undefined || state.phase === 'Stalled') show('Running', notice);
      },
    });
    return ended() && state.abandonReason === undefined;
  }

  /** Gives the agents who handled the interaction until the wrap-up deadline to wrap up. */
  async function wrapUps(): Promise<void> {
    await applyUntil({
      done: () => awaitingWrapUp(state.lifecycle!).length === 0,
      deadlineMs: () => state.endedAtMs! + settings.wrapUpWaitMs,
      idle: () => {
        const agents = awaitingWrapUp(state.lifecycle!).map((id) => `agent ${id}`);
        show('WaitingForWrapUp', `waiting for ${agents.join(', ')} to wrap up`);
      },
    });
  }

  /** Waits (bounded) for the call's recording and uploads it; one that does not come is missing. */
  async function recording(): Promise<void> {
    const settled = await applyUntil({
      done: recordingSettled,
      deadlineMs: () => state.endedAtMs! + settings.recordingWaitMs,
      idle: () => show('WaitingForRecording', 'waiting for the recording-ready event of the call'),
    });
    if (!settled && state.abandonReason === undefined) {
      Object.assign(state.recording, {
        state: 'missing',
        reason: `no recording was ready within ${settings.recordingWaitMs / 60_000} minutes of the end of the call`,
      });
    }
  }

  /** Applies what is still pending (a step blocked after the end waits for its operator). */
  async function applyRemaining(): Promise<void> {
    await applyUntil({ done: () => stream.pending.length === 0, deadlineMs: () => Infinity });
  }

  /**
   * What every phase runs: admits the events that arrived, takes the step that is due (an event applied, a
   * ready recording uploaded), and otherwise waits until something is due. Answers true once the phase is
   * `done`, false when its deadline passed first or an operator abandoned the conversation.
   */
  async function applyUntil(phase: {
    done: () => boolean;
    deadlineMs: () => number;
    /** Shows what the phase waits for, when no event is pending. */
    idle?: () => void;
  }): Promise<boolean> {
    for (;;) {
      if (events.admitArrivals() > 0) state.firstArrivalMs ??= Date.now();
      if (state.abandonReason !== undefined) return false;
      if (await stepDue()) continue;
      if (phase.done()) return true;
      if (Date.now() >= phase.deadlineMs()) return false;
      if (stream.pending.length === 0) phase.idle?.();
      await untilSomethingDue(phase.deadlineMs());
    }
  }

  /**
   * Takes the step that is due, if one is: the head event applied (unless it is a wrap-up on hold), or a
   * ready recording uploaded.
   */
  async function stepDue(): Promise<boolean> {
    const next = nextDue(stream, Date.now(), settings);
    const head = next !== undefined && 'due' in next ? next.due : undefined;
    const hold = heldWrapUp();
    if (hold !== undefined && head?.event.eventId === hold.eventId) {
      show('Running', holdMessage(hold));
      return false;
    }
    if (
      head &&
      (state.blocked?.eventId !== head.event.eventId || state.retryRequested || state.directoryChanged)
    ) {
      const fresh = state.directoryChanged;
      state.retryRequested = false;
      state.directoryChanged = false;
      await apply(head, fresh);
      return true;
    }
    if (ended() && state.recording.state === 'ready') {
      await upload();
      return true;
    }
    return false;
  }

  /**
   * A wrap-up of an agent still on the call, held so that a disconnect still on its way (a source's
   * redelivery) slots in before it: once Genesys accepted the wrap-up, that disconnect would be late and the
   * legs would never end. A step already translated or blocked is past holding.
   */
  function heldWrapUp() {
    const hold = wrapUpHold(state.lifecycle, stream.pending, settings.wrapUpHoldMs);
    const taken =
      hold !== undefined && [state.inFlight?.eventId, state.blocked?.eventId].includes(hold.eventId);
    return hold !== undefined && !taken && Date.now() < hold.untilMs ? hold : undefined;
  }

  /**
   * Waits until the head's reorder window passes, a held wrap-up's hold ends, `deadlineMs`, the time to
   * look a missing mapping up again, or a message that changes what is due (an event, an operator's
   * update, a directory sync). Only a held wrap-up adds an alarm of its own.
   */
  async function untilSomethingDue(deadlineMs: number): Promise<void> {
    const next = nextDue(stream, Date.now(), settings);
    const wakeAtMs = Math.min(
      next !== undefined && 'waitMs' in next ? Date.now() + next.waitMs : Infinity,
      heldWrapUp()?.untilMs ?? Infinity,
      deadlineMs,
      state.blocked?.kind === 'unmapped' ? state.lookAgainAtMs : Infinity,
    );
    // Nothing waits on a mapping here (a step that did would be the head): a sync changes nothing now.
    state.directoryChanged = false;
    state.operatorActed = false;
    writeAttributes();
    await alarms.until(
      () =>
        events.state.inbox.length > 0 ||
        state.operatorActed ||
        state.directoryChanged ||
        state.abandonReason !== undefined,
      wakeAtMs,
    );
    if (state.blocked?.kind === 'unmapped' && Date.now() >= state.lookAgainAtMs) state.retryRequested = true;
  }

  /** Sets the final status; from here no update is taken, and a signal that still arrives is recorded. */
  async function settle(): Promise<ConversationResult> {
    state.finished = true;
    if (state.abandonReason !== undefined && state.recording.state === 'waiting') {
      Object.assign(state.recording, {
        state: 'missing',
        reason: 'the conversation was abandoned before its recording was ready',
      });
    }
    if (state.abandonReason !== undefined) {
      await endLiveLegs();
      for (const pending of stream.pending) {
        events.record(pending.event, 'afterAbandon', `abandoned: ${state.abandonReason}`);
      }
      show('Abandoned', state.abandonReason);
    } else if (state.lifecycle === undefined) {
      for (const pending of stream.pending) {
        events.record(
          pending.event,
          'skipped',
          `nothing started the conversation within ${settings.startWaitMs / 60_000} minutes`,
        );
      }
      show('Orphaned', `no event started the conversation; ${stream.pending.length} events never applied`);
    } else if (state.recording.state === 'missing') show('RecordingMissing', state.recording.reason);
    else if (state.recording.state === 'failed') show('RecordingFailed', state.recording.reason);
    else show('Completed');
    writeAttributes();
    state.settled = true;
    await condition(allHandlersFinished);
    for (const { event } of events.state.inbox.splice(0)) {
      events.record(event, 'skipped', `arrived after the conversation ended ${state.phase}`);
    }
    return snapshot();
  }

  /** Ends the live legs of an abandoned conversation in Genesys; a failure is added to the reason. */
  async function endLiveLegs(): Promise<void> {
    const { lifecycle, lastApplied } = state;
    if (!lifecycle || hasEnded(lifecycle)) return;
    const ids = idsOf('abandon');
    const closing = closeAll(lifecycle, input.interactionId, {
      sourceId: state.sourceId!,
      ids: state.ids,
      mint: ids.mint,
    });
    const at = new Date(Math.max(Date.now(), Date.parse(lastApplied?.occurredAt ?? ''))).toISOString();
    const refusal = closing.ok
      ? await publish(
          { eventId: 'abandon', state: closing.state, events: stamp(closing.events, at, ids.eventId) },
          'ending the live legs of an abandoned conversation',
        )
      : closing.reason;
    if (refusal !== undefined) state.abandonReason += `; ending its live legs in Genesys failed: ${refusal}`;
  }

  function ended(): boolean {
    return state.lifecycle !== undefined && hasEnded(state.lifecycle);
  }

  /** Until the conversation has started: how long its first events wait for the step that starts it. */
  function startDeadlineMs(): number {
    return state.lifecycle === undefined
      ? (state.firstArrivalMs ?? Infinity) + settings.startWaitMs
      : Infinity;
  }

  /** Takes the head event one step further: translated once, published until Genesys accepts it, or blocked. */
  async function apply(head: PendingEvent<InteractionEvent>, fresh: boolean): Promise<void> {
    const { event } = head;
    if (state.inFlight?.eventId !== event.eventId) {
      const missing = await unresolved(event, fresh);
      if (missing !== undefined) return block(head, 'unmapped', missing);
      const ids = idsOf({ eventId: event.eventId });
      const translation = translate(state.lifecycle, event, {
        sourceId: state.sourceId!,
        ids: state.ids,
        mint: ids.mint,
        conversationId,
        afterCallWork: settings.wrapUpWaitMs > 0,
      });
      if (!translation.ok) return block(head, 'unsupported', translation.reason);
      state.inFlight = {
        eventId: event.eventId,
        state: translation.state,
        events: stamp(translation.events, event.occurredAt, ids.eventId),
        origin: { source: input.source, receivedAtMs: head.arrivedAtMs },
      };
    }
    show('Running');
    const refusal = await publish(state.inFlight, stepType(event));
    if (refusal !== undefined) return block(head, 'rejected', refusal);
    state.inFlight = undefined;
    state.blocked = undefined;
    settleEvent(stream, head, streamOf(event));
    events.count('applied');
    state.lastApplied = { eventId: event.eventId, type: stepType(event), occurredAt: event.occurredAt };
    if (event.change.type === 'recordingReady') {
      const { url, contentType, sizeBytes, md5 } = event.change;
      state.recordingSource = {
        url,
        contentType,
        ...(sizeBytes === undefined ? {} : { sizeBytes }),
        ...(md5 === undefined ? {} : { md5 }),
      };
      if (state.recording.state !== 'uploaded')
        Object.assign(state.recording, {
          state: 'ready',
          url,
          ...(sizeBytes === undefined ? {} : { sizeBytes }),
        });
    }
    if (ended()) state.endedAtMs ??= Date.now();
  }

  function block(head: PendingEvent<InteractionEvent>, kind: BlockKind, reason: string): void {
    state.blocked = { eventId: head.event.eventId, type: stepType(head.event), kind, reason };
    state.lookAgainAtMs = kind === 'unmapped' ? Date.now() + settings.mappingRetryMs : Infinity;
    show(kind === 'unmapped' ? 'WaitingForMapping' : 'Blocked', reason);
  }

  /** Resolves what a step names that is not known yet; undefined once everything is. */
  async function unresolved(event: InteractionEvent, fresh: boolean): Promise<string | undefined> {
    const { ids } = state;
    const references = referencesOf(event);
    const parties = {
      source: input.source,
      agents: references.agents.filter((id) => ids.users[id] === undefined),
      queues: references.queues.filter((id) => ids.queues[id] === undefined),
      wrapupCodes: references.wrapupCodes.filter((id) => ids.wrapupCodes[id] === undefined),
    };
    const known = parties.agents.length + parties.queues.length + parties.wrapupCodes.length === 0;
    if (known && state.sourceId !== undefined) return undefined;
    const resolution = await activities.resolveConversationParties({ ...parties, fresh });
    if (resolution.status === 'unmapped') return `no Genesys id yet for ${resolution.missing.join(', ')}`;
    state.sourceId = resolution.sourceId;
    Object.assign(ids.users, resolution.users);
    Object.assign(ids.queues, resolution.queues);
    Object.assign(ids.wrapupCodes, resolution.wrapupCodes);
    return undefined;
  }

  /**
   * The ids of one step: derived from the interaction, its Genesys conversation and the step, so a run begun
   * anew (an operator's reset, or a start after a terminate) sends the same events under the same ids.
   */
  function idsOf(step: ConversationStepKey['step']): {
    mint: () => string;
    eventId: (ordinal: number) => string;
  } {
    const key = {
      source: input.source,
      interactionId: input.interactionId,
      conversationId,
      step,
    };
    return { mint: conversationIdMinter(key), eventId: (ordinal) => conversationEventId(key, ordinal) };
  }

  /**
   * Gives each planned event its eventId and time (see stampTimes: strictly increasing in the conversation,
   * from the step's own time and the last stamp, both in the history: the same on every run).
   */
  function stamp(
    planned: PlannedEvent[],
    occurredAt: string,
    eventIdOf: (ordinal: number) => string,
  ): GenesysConversationEvent[] {
    const times = stampTimes(planned.length, Date.parse(occurredAt), state.lastStampMs);
    state.lastStampMs = times.at(-1) ?? state.lastStampMs;
    return planned.map(
      (each, index) =>
        ({
          key: each.key,
          event: {
            ...each.event,
            eventId: eventIdOf(index),
            eventDateTime: new Date(times[index]!).toISOString(),
          },
        }) as GenesysConversationEvent,
    );
  }

  /** Publishes a translated step; answers Genesys's refusal, or undefined once it accepted all of it. */
  async function publish(step: StepInFlight, summary: string): Promise<string | undefined> {
    try {
      if (step.events.length > 0) {
        const activityId = `publish:${step.eventId}`;
        await activities.publishStep(
          step.events,
          summary,
          activityId,
          (failure) => {
            const what = `publishing ${summary} to Genesys`;
            show('Retrying', escalationMessage(what, failure, activityId, workflowInfo().workflowId));
            // Searchable at once: the phase is otherwise written only before a wait.
            writeAttributes();
          },
          step.origin,
        );
        if (state.phase === 'Retrying') show('Running');
      }
    } catch (error) {
      const failure = activityFailure(error);
      if (!failure) throw error;
      return failureReason(failure);
    }
    const started = state.lifecycle === undefined;
    state.lifecycle = step.state;
    expectationChanged();
    counters.genesysEvents += step.events.length;
    // The bridge's ingress sets both when it starts the workflow; anything else that started it, here.
    if (started) {
      const known = workflowInfo().typedSearchAttributes;
      for (const pair of [
        { key: byoiChannel, value: step.state.channel },
        { key: byoiGenesysId, value: step.state.conversationId },
      ]) {
        if (known.get(pair.key) !== pair.value) state.unwritten.set(pair.key.name, pair);
      }
    }
    return undefined;
  }

  function recordingExpected(): boolean {
    const { lifecycle } = state;
    return (
      lifecycle?.channel === 'voice' &&
      (settings.expectRecording === 'always' ||
        (settings.expectRecording === 'answered' &&
          lifecycle.legs.some((leg) => leg.role === 'agent' && leg.answered)))
    );
  }

  /**
   * Keeps the recording's state in step with the call: an answer (or the call itself, for `always`) makes a
   * recording expected, so it is `waiting` until its recording-ready event, in every phase; the status never
   * says notExpected while the workflow waits for one.
   */
  function expectationChanged(): void {
    const { recording } = state;
    if (recording.state !== 'notExpected' && recording.state !== 'waiting') return;
    recording.state = recordingExpected() ? 'waiting' : 'notExpected';
  }

  // A recording offered for a call nobody answered (an IVR's, say) is uploaded too, though not awaited.
  function recordingSettled(): boolean {
    const { recording } = state;
    return (
      recording.state === 'uploaded' ||
      recording.state === 'missing' ||
      recording.state === 'failed' ||
      (!recordingExpected() && recording.state === 'notExpected')
    );
  }

  async function upload(): Promise<void> {
    const lifecycle = state.lifecycle!;
    const source = state.recordingSource!;
    const customer = lifecycle.legs.find((leg) => leg.role === 'customer') ?? lifecycle.legs[0]!;
    Object.assign(state.recording, { state: 'uploading' });
    show(
      'UploadingRecording',
      `uploading the recording since ${new Date().toISOString()}: its attempts and last failure are under Pending Activities`,
    );
    writeAttributes();
    try {
      const uploaded: UploadedRecording = await activities.uploadRecording(
        {
          ...source,
          source: input.source,
          conversationId: lifecycle.conversationId,
          communicationId: customer.communicationId,
        },
        `recording of ${lifecycle.conversationId}${source.sizeBytes === undefined ? '' : ` (${source.sizeBytes} bytes)`}`,
      );
      Object.assign(state.recording, { state: 'uploaded', uploaded });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      Object.assign(state.recording, { state: 'failed', reason: failureReason(error) });
    }
  }

  // Written before each wait, and only then, all in one upsert: a phase that ends within the workflow task
  // that began it is never searched for, so it costs no history event.
  function writeAttributes(): void {
    if (state.phase !== state.writtenPhase) {
      state.unwritten.set(byoiStatus.name, { key: byoiStatus, value: state.phase });
    }
    const reason = reasonAttribute(state.phase, state.message);
    if (reason !== state.writtenReason) {
      state.unwritten.set(byoiReason.name, { key: byoiReason, value: reason });
    }
    state.writtenPhase = state.phase;
    state.writtenReason = reason;
    // The latest queue and agent ride along with a write that happens anyway: never one of their own.
    if (state.unwritten.size > 0) {
      const known = workflowInfo().typedSearchAttributes;
      for (const pair of routingAttributes(state.lifecycle)) {
        if (known.get(pair.key) !== pair.value) state.unwritten.set(pair.key.name, pair);
      }
      upsertSearchAttributes([...state.unwritten.values()]);
    }
    state.unwritten.clear();
  }

  function show(next: ConversationPhase, why?: string): void {
    state.phase = next;
    state.message = why;
    const { lifecycle, recording } = state;
    const where = lifecycle ? describeLifecycle(lifecycle) : 'a conversation that has not started';
    setCurrentDetails(
      `${headline(`${input.source}/${input.interactionId}`, state.phase, state.message)}\n\n` +
        `${lifecycle ? `Genesys conversation ${lifecycle.conversationId}, ` : ''}${where}. ` +
        `${counters.applied} steps applied (${counters.genesysEvents} Genesys events), ` +
        `${events.pending()} pending, ${events.state.ledger.length} in the ledger; recording ${recording.state}.` +
        (state.phase === 'Blocked'
          ? '\n\nAn operator can `retry` (after a fix), `skipEvent` or `abandon` (workflow updates), e.g. ' +
            `\`npm run cli -- conversation skip ${input.source} ${input.interactionId}\`.`
          : ''),
    );
  }

  function snapshot(): ConversationResult {
    const { lifecycle } = state;
    return {
      source: input.source,
      interactionId: input.interactionId,
      channel: lifecycle?.channel,
      status: state.phase,
      message: state.message,
      conversationId: lifecycle?.conversationId,
      legs: lifecycle?.legs ?? [],
      counters,
      lastApplied: state.lastApplied,
      recording: state.recording,
      ledger: events.recentLedger(),
    };
  }
}

/** How the ledger and the status name an event: `<channel>.<change type>`. */
function stepType(event: InteractionEvent): string {
  return `${event.channel}.${event.change.type}`;
}
