/**
 * A Genesys call that keeps failing past its local attempts continues as a regular activity: it shows in
 * Pending Activities with its attempts and last failure, the workflow's status says Retrying, and an
 * operator's `temporal activity pause`, `unpause` and `reset` act on it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import { temporalCliPath } from '../tools/stack/toolchain';
import { conversationStatusQuery, type conversationWorkflow } from '../workflows/conversation';
import { agentChanges, assertDeliveredExactlyOnce, untilAgent, untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { answeredCall } from './conversation-fixtures';
import { requestsTo, setFaults, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, untilPendingActivity } from './harness';

const { EventType, PendingActivityState } = temporal.api.enums.v1;
const userEvents = '/api/v2/events/users';
const conversationEvents = '/api/v2/events/conversations';

/** The Temporal CLI against the shared dev server. */
async function temporalCli(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    ...args,
    '--address',
    localEnvironment().address,
    '--namespace',
    'default',
  ]);
  return stdout;
}

/** How many events of a type the workflow's history holds. */
async function historyCount(
  client: Client,
  workflowId: string,
  type: temporal.api.enums.v1.EventType,
): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((event) => event.eventType === type).length;
}

describe('a Genesys call that keeps failing, where operators look', function () {
  this.timeout(180_000);
  const source = 'acd-retrying';
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('retrying');
  const client = () => localEnvironment().client;

  before(async () => {
    sim = await startTestSimulator({
      agents: 3,
      sourceName: source,
      limits: { requestsPerWindow: 1_000_000 },
    });
    bridge = await runBridgeWorker(sim, taskQueue, { client: { requestsPerMinute: 1_000_000 } });
  });
  afterEach(() => setFaults(sim.simulator, {}));
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  it('shows an agent publish Genesys keeps refusing as a pending activity, pauses, unpauses and delivers it once', async () => {
    await setFaults(sim.simulator, { rules: [{ path: userEvents, status: 503 }] });
    const [change] = agentChanges(source, 'agent-1', 1, Date.now() - 1_000);
    const workflowId = agentWorkflowId(source, 'agent-1');
    const activityId = `publish:${change!.eventId}`;
    await sendAgentEvent(client(), taskQueue, change!);

    const retrying = await untilPendingActivity(
      workflowId,
      activityId,
      (activity) => (activity.attempt ?? 0) >= 2,
    );
    assert.equal(retrying.activityType?.name, 'publishAgentChanges');
    assert.match(retrying.lastFailure?.message ?? '', /503/, 'the last failure names what Genesys answered');
    const status = await untilAgent(client(), source, 'agent-1', (answer) => answer.status === 'Retrying');
    assert.ok(status.message?.includes(activityId), status.message);
    assert.ok(
      status.message?.includes(`temporal activity pause|unpause|reset -w ${workflowId} -a ${activityId}`),
    );
    const query = `ByoiStatus = 'Retrying' AND WorkflowId = '${workflowId}'`;
    while ((await client().workflow.count(query)).count !== 1)
      await new Promise((resolve) => setTimeout(resolve, 200));

    // Paused, it makes no further attempt even once Genesys is back.
    await temporalCli(['activity', 'pause', '--workflow-id', workflowId, '--activity-id', activityId]);
    await untilPendingActivity(workflowId, activityId, (activity) => activity.paused === true);
    await setFaults(sim.simulator, {});
    const before = (await requestsTo(sim.simulator, userEvents)).length;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.equal((await requestsTo(sim.simulator, userEvents)).length, before, 'no attempt while paused');
    const paused = await untilPendingActivity(workflowId, activityId, () => true);
    assert.equal(paused.state, PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED);

    await temporalCli(['activity', 'unpause', '--workflow-id', workflowId, '--activity-id', activityId]);
    const delivered = await untilAgent(
      client(),
      source,
      'agent-1',
      (answer) => answer.counters.published === 1,
    );
    assert.equal(delivered.status, 'Running');
    await assertDeliveredExactlyOnce(sim, [change!]);
    // One local phase (its markers) and one regular activity, whatever the attempts.
    assert.equal(await historyCount(client(), workflowId, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1);
  });

  it('restarts the attempts of a retrying conversation step on reset, and completes once Genesys is back', async () => {
    await setFaults(sim.simulator, { rules: [{ path: conversationEvents, status: 503 }] });
    const call = answeredCall(source, 'agent-2', 'Sales');
    const { interactionId } = call[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    const activityId = `publish:${call[0]!.eventId}`;
    const settings = { reorderWindowMs: 500, wrapUpWaitMs: 1_000, expectRecording: 'never' as const };
    for (const event of call) await sendInteractionEvent(client(), taskQueue, event, settings);

    await untilPendingActivity(workflowId, activityId, (activity) => (activity.attempt ?? 0) >= 3);
    const status = await untilQueried(
      client(),
      workflowId,
      conversationStatusQuery,
      (answer) => answer.status === 'Retrying',
    );
    assert.match(status.message ?? '', /publishing voice\.started to Genesys keeps failing \(.*503/);

    await temporalCli(['activity', 'reset', '--workflow-id', workflowId, '--activity-id', activityId]);
    await untilPendingActivity(workflowId, activityId, (activity) => activity.attempt === 1);
    await setFaults(sim.simulator, {});
    const outcome = await client().workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
    assert.equal(outcome.status, 'Completed');
    assert.equal(outcome.counters.applied, call.length);
  });
});
