import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, QueryDefinition } from '@temporalio/client';
import { agentWorkflowId } from '../client/library/agent-events';
import { BridgeClient } from '../client/library/bridge-client';
import { conversationWorkflowId } from '../client/library/conversation-events';
import { agentEventId, conversationIdOf } from '../domain/genesys/derived-ids';
import type { SimulatedConversation } from '../simulator/conversation-model';
import type { TimelineEntry } from '../simulator/state';
import { agentStatusQuery, type AgentStatus } from '../workflows/agent';
import {
  conversationStatusQuery,
  type conversationWorkflow,
  type ConversationStatus,
  type ConversationWorkflowSettings,
} from '../workflows/conversation';
import { agentChanges, assertDeliveredExactlyOnce, submitRounds, untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { answeredCall } from './conversation-fixtures';
import { inspect, simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';

/** `temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED`. */
const workflowTaskCompleted = 7;
/** `temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED`. */
const executionSignaled = 26;
/** `temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL`: what the Web UI's Reset does. */
const reapplySignals = 1;

const source = 'acd-resets';
const agentSettings = { reorderWindowMs: 500 };
const conversationSettings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 500,
  wrapUpWaitMs: 3_000,
  expectRecording: 'never',
};

/**
 * Resets a workflow's current run to its first completed workflow task, reapplying the signals received
 * after it, as an operator does in the Web UI; answers the new run's id and how many signals lay after
 * the reset point (which only the reapply brings into the new run).
 */
async function resetToFirstTask(
  client: Client,
  workflowId: string,
): Promise<{ runId: string; signalsAfter: number }> {
  const handle = client.workflow.getHandle(workflowId);
  const { runId } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  const resetPoint = events.findIndex((event) => Number(event.eventType) === workflowTaskCompleted);
  assert.ok(resetPoint > 0, `${workflowId} has completed a workflow task`);
  const response = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId, runId },
    reason: 'test: an operator resets to the first workflow task',
    workflowTaskFinishEventId: events[resetPoint]!.eventId,
    requestId: randomUUID(),
    resetReapplyType: reapplySignals,
  });
  assert.ok(response.runId && response.runId !== runId, 'the reset began a new run');
  const signalsAfter = events
    .slice(resetPoint)
    .filter((event) => Number(event.eventType) === executionSignaled);
  return { runId: response.runId, signalsAfter: signalsAfter.length };
}

/** Signals in a run's history. */
async function signalsIn(client: Client, workflowId: string, runId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).filter((event) => Number(event.eventType) === executionSignaled).length;
}

/** Polls one run's query (the latest without `runId`) until `check` holds, for a minute at most. */
function untilRun<T>(
  client: Client,
  workflowId: string,
  runId: string | undefined,
  query: QueryDefinition<T>,
  check: (answer: T) => boolean,
): Promise<T> {
  return untilQueried(client, workflowId, query, check, { ...(runId ? { runId } : {}), withinMs: 60_000 });
}

describe('operators replaying workflows (reset, terminate and start again) inject nothing twice', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('resets');
  const client = () => localEnvironment().client;
  const bridgeClient = () => new BridgeClient(client(), { taskQueue, agentSettings, conversationSettings });

  before(async () => {
    sim = await startTestSimulator({ agents: 3, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  /**
   * Replaces the worker with a new one, as a deploy or a crash does: the publisher's memory of what Genesys
   * accepted goes with the old one, so whatever the workflows send again reaches Genesys again.
   */
  async function restartWorker(): Promise<void> {
    await bridge.stop();
    bridge = await runBridgeWorker(sim, taskQueue);
  }

  /** A conversation's record in the simulator, with every event it applied. */
  const conversationRecord = (conversationId: string) =>
    inspect<SimulatedConversation & { events: unknown[] }>(sim.simulator, `conversations/${conversationId}`);
  const conversationCount = async () => (await inspect<unknown[]>(sim.simulator, 'conversations')).length;

  /** What Genesys holds of a conversation before it is replayed, for {@link assertAppliedOnce}. */
  async function genesysBefore(conversationId: string) {
    return {
      record: await conversationRecord(conversationId),
      conversations: await conversationCount(),
      stats: await simulatorStats(sim.simulator),
    };
  }

  /** Asserts the replay re-sent every Genesys event of the conversation, and Genesys applied none twice. */
  async function assertAppliedOnce(
    conversationId: string,
    before: Awaited<ReturnType<typeof genesysBefore>>,
    genesysEvents: number,
  ): Promise<void> {
    const after = await simulatorStats(sim.simulator);
    assert.equal(
      after.duplicateEventIds - before.stats.duplicateEventIds,
      genesysEvents,
      'every Genesys event of the steps was sent again',
    );
    assert.equal(after.eventsRejected, before.stats.eventsRejected, 'none was refused (same id, same body)');
    assert.equal(await conversationCount(), before.conversations, 'no second conversation');
    const recordAfter = await conversationRecord(conversationId);
    assert.deepEqual(
      Object.keys(recordAfter.legs),
      Object.keys(before.record.legs),
      'no extra communication',
    );
    assert.equal(recordAfter.events.length, before.record.events.length, 'no event applied twice');
  }

  /** Sends events through the bridge's client, a round after another, each round in one hold. */
  const send = (rounds: object[][], kind: 'agent' | 'conversation') =>
    submitRounds(bridgeClient(), kind, rounds);

  it('re-sends an agent’s published events after a reset with the same ids, and Genesys applies each once', async () => {
    const agentId = sim.agents[0]!.externalIds[0]!.externalKey;
    const stream = agentChanges(source, agentId, 6, Date.now() - 60_000);
    const workflowId = agentWorkflowId(source, agentId);
    const published = (count: number) => (status: AgentStatus) => status.counters.published === count;
    // Two signals: one before the reset point, one after it that only the reapply brings back.
    await send([stream.slice(0, 3)], 'agent');
    await untilRun(client(), workflowId, undefined, agentStatusQuery, published(3));
    await send([stream.slice(3)], 'agent');
    await untilRun(client(), workflowId, undefined, agentStatusQuery, published(6));
    await assertDeliveredExactlyOnce(sim, stream);
    const user = sim.agents[0]!;
    const timelineBefore = await inspect<{ presence: TimelineEntry[]; routingStatus: TimelineEntry[] }>(
      sim.simulator,
      `users/${user.id}/timeline`,
    );
    const derived = stream.map(({ eventId }) =>
      agentEventId({ source, agentId, eventId, userId: user.id, sourceId: sim.sourceId }),
    );
    const landed = [...timelineBefore.presence, ...timelineBefore.routingStatus].map(
      (entry) => entry.eventId,
    );
    assert.deepEqual(
      landed.sort(),
      [...derived].sort(),
      'each event under the id derived from it and its user',
    );
    const before = await simulatorStats(sim.simulator);

    await restartWorker();
    const { runId, signalsAfter } = await resetToFirstTask(client(), workflowId);
    assert.equal(signalsAfter, 1, 'the second signal came after the reset point');
    const status = await untilRun(client(), workflowId, runId, agentStatusQuery, published(6));
    assert.equal(await signalsIn(client(), workflowId, runId), 2, 'the new run got both signals');
    assert.deepEqual(status.ledger, []);

    const after = await simulatorStats(sim.simulator);
    assert.equal(
      after.duplicateEventIds - before.duplicateEventIds,
      stream.length,
      'every event was sent again',
    );
    assert.equal(after.eventsRejected, before.eventsRejected, 'none was refused (same id, same body)');
    await assertDeliveredExactlyOnce(sim, stream);
    const timelineAfter = await inspect<typeof timelineBefore>(sim.simulator, `users/${user.id}/timeline`);
    assert.deepEqual(timelineAfter, timelineBefore, 'the user’s timelines are as they were');
  });

  it('re-sends a conversation’s steps after a reset with the same ids: no second conversation, communication or event, and it runs on', async () => {
    const agentId = sim.agents[1]!.externalIds[0]!.externalKey;
    const call = answeredCall(source, agentId, 'Sales');
    const { interactionId } = call[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    const applied = (count: number) => (status: ConversationStatus) => status.counters.applied === count;
    await send([call.slice(0, 2)], 'conversation');
    await untilRun(client(), workflowId, undefined, conversationStatusQuery, applied(2));
    await send([call.slice(2, 3)], 'conversation');
    const first = await untilRun(client(), workflowId, undefined, conversationStatusQuery, applied(3));
    const conversationId = first.conversationId!;
    assert.equal(conversationId, conversationIdOf(source, interactionId));
    const before = await genesysBefore(conversationId);
    assert.equal(before.record.events.length, first.counters.genesysEvents);

    await restartWorker();
    const { runId, signalsAfter } = await resetToFirstTask(client(), workflowId);
    assert.equal(signalsAfter, 1, 'the answer came after the reset point');
    const replayed = await untilRun(client(), workflowId, runId, conversationStatusQuery, applied(3));
    assert.equal(replayed.conversationId, conversationId);
    assert.equal(replayed.counters.genesysEvents, first.counters.genesysEvents);

    await assertAppliedOnce(conversationId, before, first.counters.genesysEvents);

    await send([call.slice(3)], 'conversation');
    const result = await client().workflow.getHandle<typeof conversationWorkflow>(workflowId, runId).result();
    assert.equal(result.status, 'Completed', result.message);
    const finished = await conversationRecord(conversationId);
    assert.ok(finished.endedAt, 'Genesys shows the conversation ended');
    assert.equal(finished.events.length, result.counters.genesysEvents);
  });

  it('starts a terminated conversation again from its re-sent events, on the same Genesys conversation, applying nothing twice', async () => {
    const agentId = sim.agents[2]!.externalIds[0]!.externalKey;
    const call = answeredCall(source, agentId, 'Support');
    const { interactionId } = call[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    const applied = (count: number) => (status: ConversationStatus) => status.counters.applied === count;
    await send([call.slice(0, 3)], 'conversation');
    const first = await untilRun(client(), workflowId, undefined, conversationStatusQuery, applied(3));
    const conversationId = first.conversationId!;
    const before = await genesysBefore(conversationId);
    const { runId: terminatedRunId } = await client().workflow.getHandle(workflowId).describe();
    await client().workflow.getHandle(workflowId).terminate('test: an operator terminates the conversation');

    await restartWorker();
    // The source re-sends what it sent: the bridge takes it, and a new run starts.
    await send([call.slice(0, 3)], 'conversation');
    const { runId } = await client().workflow.getHandle(workflowId).describe();
    assert.notEqual(runId, terminatedRunId, 'a new run started');
    const again = await untilRun(client(), workflowId, runId, conversationStatusQuery, applied(3));
    assert.equal(again.conversationId, conversationId, 'the same Genesys conversation');

    await assertAppliedOnce(conversationId, before, first.counters.genesysEvents);

    await send([call.slice(3)], 'conversation');
    const result = await client().workflow.getHandle<typeof conversationWorkflow>(workflowId, runId).result();
    assert.equal(result.status, 'Completed', result.message);
    assert.ok((await conversationRecord(conversationId)).endedAt, 'Genesys shows the conversation ended');
  });
});
