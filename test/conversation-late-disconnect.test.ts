/**
 * Issue 18, a chaos-run finding: a call's disconnect redelivered after its (later-occurring) wrap-up. The
 * wrap-up of an agent still on the call is held until the disconnect slots in before it; a disconnect that
 * comes after the hold is late, and the conversation says it cannot end by itself until an operator
 * abandons it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import type { InteractionEvent } from '../domain/events/interaction-event';
import type { SimulatedConversation } from '../simulator/conversation-model';
import type { ConversationEventEntry } from '../simulator/state';
import {
  abandonUpdate,
  conversationStatusQuery,
  type ConversationLedgerEntry,
  type ConversationStatus,
  type ConversationWorkflowSettings,
  type conversationWorkflow,
} from '../workflows/conversation';
import { lateNotice, stalledReason, wrapUpHold } from '../workflows/conversation-late-steps';
import type { Leg, LifecycleState } from '../workflows/conversation-lifecycle';
import type { PendingEvent } from '../workflows/event-stream';
import { byoiStatus } from '../workflows/search-attributes';
import { untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { answeredCall } from './conversation-fixtures';
import { inspect, md5Base64, startTestSimulator, toneWav, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';

const source = 'acd-late-disconnect';

/** A leg of a lifecycle, live and answered unless told otherwise. */
function leg(role: Leg['role'], fields: Partial<Leg> = {}): Leg {
  return {
    communicationId: `${role}-${fields.agentId ?? ''}`,
    role,
    answered: true,
    held: false,
    ended: false,
    wrappedUp: false,
    ...fields,
  };
}

function lifecycleWith(legs: Leg[]): LifecycleState {
  return {
    channel: 'voice',
    direction: 'inbound',
    conversationId: 'c-1',
    legs,
    consults: {},
    finishedConsults: [],
  };
}

/** The call's events as pending events of its stream, arrived at `arrivedAtMs`. */
function pendingOf(events: InteractionEvent[], arrivedAtMs: number): PendingEvent<InteractionEvent>[] {
  return events.map((event, arrival) => ({
    event,
    arrivedAtMs,
    occurredAtMs: Date.parse(event.occurredAt),
    arrival,
  }));
}

function lateEntry(eventId: string, type: string): ConversationLedgerEntry {
  return { eventId, type, occurredAt: '', outcome: 'late', reason: 'late', recordedAt: '' };
}

describe('holding a wrap-up for a disconnect still on its way (pure)', () => {
  const call = answeredCall(source, 'agent-1', 'Sales');
  const wrapUp = call.find((event) => event.change.type === 'wrapUp')!;
  const onTheCall = lifecycleWith([leg('customer'), leg('agent', { agentId: 'agent-1' })]);

  it('holds a wrap-up of an agent still on the call for the hold, from its arrival', () => {
    const hold = wrapUpHold(onTheCall, pendingOf([wrapUp], 10_000), 60_000);
    assert.deepEqual(hold, { eventId: wrapUp.eventId, agentId: 'agent-1', untilMs: 70_000 });
  });

  it('holds nothing once the agent’s leg has ended, nor a step that is not a wrap-up', () => {
    const ended = lifecycleWith([
      leg('customer', { ended: true }),
      leg('agent', { agentId: 'agent-1', ended: true }),
    ]);
    assert.equal(wrapUpHold(ended, pendingOf([wrapUp], 0), 60_000), undefined);
    const disconnect = call.find((event) => event.change.type === 'disconnected')!;
    assert.equal(wrapUpHold(onTheCall, pendingOf([disconnect, wrapUp], 0), 60_000), undefined);
  });

  it('lets a wrap-up go when a later step of the call is already here, a recording-ready event aside', () => {
    const [later] = answeredCall(source, 'agent-1', 'Sales', [{ type: 'held', agentId: 'agent-1' }]).slice(
      -1,
    );
    const [recording] = answeredCall(source, 'agent-1', 'Sales', [
      { type: 'recordingReady', url: 'https://recordings.example/call.wav', contentType: 'audio/wav' },
    ]).slice(-1);
    assert.equal(wrapUpHold(onTheCall, pendingOf([wrapUp, later!], 0), 60_000), undefined);
    assert.equal(wrapUpHold(onTheCall, pendingOf([wrapUp, recording!], 0), 60_000)?.eventId, wrapUp.eventId);
  });

  it('says which legs a late disconnect left live and what an operator can do, and nothing without one', () => {
    const ledger = [lateEntry('held-1', 'voice.held'), lateEntry('gone-1', 'voice.disconnected')];
    assert.equal(
      stalledReason(onTheCall, ledger),
      'legs of the customer and agent agent-1 are still live: the voice.disconnected event gone-1 came after ' +
        'later events Genesys had accepted (see the ledger); an operator can `abandon` to end its live legs',
    );
    assert.equal(stalledReason(onTheCall, [lateEntry('held-1', 'voice.held')]), undefined);
    assert.match(
      lateNotice([lateEntry('held-1', 'voice.held')]) ?? '',
      /one event came after .* voice\.held held-1/,
    );
    assert.equal(lateNotice([]), undefined);
  });
});

describe('a call whose disconnect arrives after its wrap-up, on a dev server against the simulator', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  let directory: string;
  const taskQueue = uniqueTaskQueue('late-disconnect');

  before(async () => {
    sim = await startTestSimulator({ agents: 2, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
    directory = await mkdtemp(join(tmpdir(), 'byoi-late-disconnect-'));
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
    await rm(directory, { recursive: true, force: true });
  });

  async function sendAll(
    client: Client,
    events: InteractionEvent[],
    settings: Partial<ConversationWorkflowSettings>,
  ) {
    for (const event of events) await sendInteractionEvent(client, taskQueue, event, settings);
  }

  /** Sends every event of `call` but its disconnect, and answers the disconnect, held back. */
  async function sendAllButTheDisconnect(
    client: Client,
    call: InteractionEvent[],
    settings: Partial<ConversationWorkflowSettings>,
  ): Promise<InteractionEvent> {
    const disconnect = call.find((event) => event.change.type === 'disconnected')!;
    await sendAll(
      client,
      call.filter((event) => event !== disconnect),
      settings,
    );
    return disconnect;
  }

  function untilConversation(
    client: Client,
    interactionId: string,
    check: (status: ConversationStatus) => boolean,
  ) {
    return untilQueried(
      client,
      conversationWorkflowId(source, interactionId),
      conversationStatusQuery,
      check,
      {
        withinMs: 60_000,
      },
    );
  }

  /** Genesys's record of the conversation: legs, accepted events in order, recordings. */
  function genesysRecord(conversationId: string) {
    return inspect<
      SimulatedConversation & {
        events: ConversationEventEntry[];
        recordings: { status: string; md5?: string }[];
      }
    >(sim.simulator, `conversations/${conversationId}`);
  }

  it('holds the wrap-up until the disconnect arriving 5 s later slots in before it, then completes with its recording', async () => {
    const client = localEnvironment().client;
    const settings: Partial<ConversationWorkflowSettings> = { reorderWindowMs: 1_000, wrapUpWaitMs: 2_000 };
    const wav = toneWav(1);
    const file = join(directory, 'call.wav');
    await writeFile(file, wav);
    const call = answeredCall(source, 'agent-1', 'Sales', [
      {
        type: 'recordingReady',
        url: pathToFileURL(file).href,
        contentType: 'audio/wav',
        md5: md5Base64(wav),
      },
    ]);
    const interactionId = call[0]!.interactionId;
    const disconnect = await sendAllButTheDisconnect(client, call, settings);
    const wrapUpSentAt = Date.now();

    const held = await untilConversation(client, interactionId, (status) =>
      /holding agent/.test(status.message ?? ''),
    );
    assert.equal(held.status, 'Running');
    assert.match(
      held.message!,
      /holding agent agent-1's wrap-up until their leg ends .* at most until \d{4}-/,
    );
    assert.equal(held.lastApplied?.type, 'voice.answered', 'the wrap-up is not published while held');

    await new Promise((resolve) => setTimeout(resolve, wrapUpSentAt + 5_000 - Date.now()));
    await sendAll(client, [disconnect], settings);
    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    const outcome = await handle.result();

    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.deepEqual(outcome.ledger, [], 'nothing late, nothing skipped');
    assert.equal(outcome.recording.state, 'uploaded');
    assert.equal(outcome.recording.uploaded?.md5, md5Base64(wav));
    const record = await genesysRecord(outcome.conversationId!);
    assert.ok(record.endedAt, 'Genesys shows the conversation ended');
    const agentLeg = Object.values(record.legs).find((each) => each.purpose === 'agent')!;
    assert.equal(agentLeg.disconnectType, 'Peer');
    assert.ok(agentLeg.wrapup, 'the wrap-up was applied');
    const keys = record.events
      .filter((event) => event.communicationId === agentLeg.communicationId)
      .map((event) => event.key);
    const endedAt = keys.indexOf('communicationEndedEvents');
    const wrappedAt = keys.indexOf('communicationDispositionAppliedEvents');
    assert.ok(endedAt >= 0 && endedAt < wrappedAt, `the leg ended before its wrap-up: ${keys.join(', ')}`);
    assert.equal(record.recordings.filter((recording) => recording.status === 'Success').length, 1);
  });

  it('starts no hold, and no timer for one, when the disconnect comes before the wrap-up', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, 'agent-2', 'Sales');
    const interactionId = call[0]!.interactionId;
    const settings: Partial<ConversationWorkflowSettings> = {
      reorderWindowMs: 500,
      wrapUpWaitMs: 2_000,
      expectRecording: 'never',
      wrapUpHoldMs: 90_000,
    };
    await sendAll(client, call, settings);
    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    assert.equal((await handle.result()).status, 'Completed');
    const events = (await handle.fetchHistory()).events ?? [];
    const timersMs = events.flatMap((event) => {
      const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
      return timeout ? [Number(timeout.seconds ?? 0) * 1_000 + (timeout.nanos ?? 0) / 1e6] : [];
    });
    assert.ok(
      timersMs.length > 0,
      'the reorder windows and the wrap-up wait are timers: the check sees them',
    );
    assert.deepEqual(
      timersMs.filter((ms) => ms > 10_000),
      [],
      `no timer as long as a hold: ${timersMs.join(', ')}`,
    );
  });

  it('says a call whose disconnect came after the hold cannot end by itself, until an operator abandons it', async () => {
    const client = localEnvironment().client;
    const settings: Partial<ConversationWorkflowSettings> = {
      reorderWindowMs: 500,
      wrapUpWaitMs: 2_000,
      wrapUpHoldMs: 1_000,
      expectRecording: 'never',
    };
    const call = answeredCall(source, 'agent-1', 'Sales');
    const interactionId = call[0]!.interactionId;
    const disconnect = await sendAllButTheDisconnect(client, call, settings);
    await untilConversation(client, interactionId, (status) => status.lastApplied?.type === 'voice.wrapUp');
    await sendAll(client, [disconnect], settings);

    const stalled = await untilConversation(client, interactionId, (status) => status.status === 'Stalled');
    assert.equal(
      stalled.message,
      'legs of the customer and agent agent-1 are still live: the voice.disconnected event ' +
        `${disconnect.eventId} came after later events Genesys had accepted (see the ledger); ` +
        'an operator can `abandon` to end its live legs',
    );
    assert.deepEqual(
      stalled.ledger.map((entry) => [entry.eventId, entry.outcome, entry.type]),
      [[disconnect.eventId, 'late', 'voice.disconnected']],
    );
    assert.equal(stalled.counters.late, 1);
    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(byoiStatus), 'Stalled');
    // Started by the bridge's client with a minute for each workflow task (client/library/task-timeout.ts).
    assert.equal(Number(described.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds), 60);
    // Nothing will end its legs: a while later it still waits.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const still = await handle.query(conversationStatusQuery);
    assert.equal(still.status, 'Stalled');
    assert.ok(
      still.legs.some((each) => !each.ended),
      'its legs are live',
    );

    const answer = await handle.executeUpdate(abandonUpdate, {
      args: [{ reason: 'the disconnect came after the wrap-up' }],
    });
    assert.equal(answer.legsEnded, 3);
    const outcome = await handle.result();
    assert.equal(outcome.status, 'Abandoned');
    assert.ok(outcome.legs.every((each) => each.ended));
    const record = await genesysRecord(outcome.conversationId!);
    assert.ok(record.endedAt, 'Genesys shows the conversation ended');
    assert.deepEqual(
      Object.values(record.legs).map((each) => [each.purpose, each.disconnectType]),
      [
        ['customer', 'System'],
        ['acd', 'Transfer'],
        ['agent', 'System'],
      ],
    );
  });
});
