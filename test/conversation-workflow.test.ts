import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import type { SimulatedConversation } from '../simulator/conversation-model';
import { seededRandom } from '../simulator/random';
import {
  abandonUpdate,
  conversationStatusQuery,
  retryBlockedUpdate,
  type conversationWorkflow,
  skipEventUpdate,
  type ConversationResult,
  type ConversationStatus,
  type ConversationWorkflowSettings,
} from '../workflows/conversation';
import { directorySyncedSignal } from '../workflows/directory-signals';
import { byoiAgent, byoiKind, byoiQueue, byoiReason, byoiStatus } from '../workflows/search-attributes';
import { users } from '../activities/genesys/directory';
import { deliveryRounds, duplicatesIn, submitRounds, untilQueried } from './agent-fixtures';
import { BridgeClient } from '../client/library/bridge-client';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import {
  answeredCall,
  conversationScenarios,
  type ExpectedLeg,
  type Scenario,
} from './conversation-fixtures';
import { simulatorConsistency } from '../simulator/consistency-client';
import { inspect, simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';
import { cliOutput } from './processes';

const source = 'acd-conversations';
const parties = { a: 'agent-1', b: 'agent-2', q: 'Sales', r: 'Support', code: 'Resolved' };
const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 2_000,
  wrapUpWaitMs: 3_000,
  expectRecording: 'never',
};

/** Sends events one after another, as a live feed would. */
async function sendAll(client: Client, taskQueue: string, events: InteractionEvent[]) {
  for (const event of events) await sendInteractionEvent(client, taskQueue, event, settings);
}

/** Polls a conversation's status query until `check` holds. */
function untilConversation(
  client: Client,
  interactionId: string,
  check: (status: ConversationStatus) => boolean,
): Promise<ConversationStatus> {
  return untilQueried(client, conversationWorkflowId(source, interactionId), conversationStatusQuery, check);
}

/** What an operator is told when an update is refused (the validator's own words). */
async function refusalOf(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return error.cause instanceof Error ? error.cause.message : error.message;
  }
  return assert.fail('the update was accepted');
}

function result(client: Client, interactionId: string): Promise<ConversationResult> {
  return client.workflow
    .getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
    .result();
}

describe('the conversation workflow on a dev server against the simulator', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('conversations');

  before(async () => {
    sim = await startTestSimulator({ agents: 5, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  /** Genesys's legs of a finished conversation (the simulator's read-back), named as scenarios name them. */
  async function judge(
    conversationId: string,
  ): Promise<{ legs: ExpectedLeg[]; record: SimulatedConversation }> {
    const record = await inspect<
      SimulatedConversation & { events: { key: string; eventDateTime: string }[] }
    >(sim.simulator, `conversations/${conversationId}`);
    const agentOf = (userId: string | undefined) =>
      sim.agents.find((user) => user.id === userId)?.externalIds[0]?.externalKey;
    const queueOf = (queueId: string | undefined) =>
      sim.seed.queues.find((queue) => queue.id === queueId)?.name;
    const codeOf = (codeId: string | undefined) =>
      sim.seed.wrapupCodes.find((code) => code.id === codeId)?.name;
    const legs = Object.values(record.legs).map((leg) => ({
      purpose: leg.purpose as ExpectedLeg['purpose'],
      ...(leg.purpose === 'agent' ? { party: agentOf(leg.userId) } : {}),
      ...(leg.purpose === 'acd' ? { party: queueOf(leg.queueId) } : {}),
      disconnectType: leg.disconnectType ?? 'still live',
      ...(leg.wrapup?.code === undefined ? {} : { wrapup: codeOf(leg.wrapup.code) }),
      ...(leg.holds > 0 ? { holds: leg.holds } : {}),
    }));
    return { legs, record };
  }

  async function assertLanded(scenario: Scenario): Promise<ConversationResult> {
    const { interactionId } = scenario.events[0]!;
    const outcome = await result(localEnvironment().client, interactionId);
    assert.equal(outcome.status, 'Completed', `${scenario.name}: ${outcome.message ?? ''}`);
    assert.deepEqual(outcome.ledger, [], `${scenario.name}: nothing in the ledger`);
    const { legs, record } = await judge(outcome.conversationId!);
    assert.deepEqual(legs, scenario.legs, scenario.name);
    assert.ok(record.endedAt, `${scenario.name}: Genesys shows the conversation ended`);
    return outcome;
  }

  it('lands every supported scenario in Genesys with the right legs, order and wrap-ups', async () => {
    const scenarios = conversationScenarios(source, parties);
    const before = await simulatorStats(sim.simulator);
    await Promise.all(
      scenarios.map((scenario) => sendAll(localEnvironment().client, taskQueue, scenario.events)),
    );
    for (const scenario of scenarios) {
      const outcome = await assertLanded(scenario);
      assert.equal(outcome.counters.applied, scenario.events.length);
    }
    const stats = await simulatorStats(sim.simulator);
    assert.equal(stats.orderViolations - before.orderViolations, 0);
    assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0);
    // What the SDK models describe (the agents' presence is not this test's business).
    const since = Math.min(...scenarios.map((scenario) => Date.parse(scenario.events[0]!.occurredAt)));
    const report = await simulatorConsistency(sim.simulator.url, since);
    const modelRules = [
      'queueOnInboundAgentLeg',
      'inboundAgentLegWithoutInvitedBy',
      'dispositionWithoutAfterCallWork',
      'inboundEmailWithoutIncludeMessage',
      'sameTimeInConversation',
    ];
    assert.deepEqual(
      modelRules.map((rule) => [rule, report.byRule[rule]]),
      modelRules.map((rule) => [rule, 0]),
      report.findings
        .filter((finding) => modelRules.includes(finding.rule))
        .map((finding) => finding.message)
        .join('\n'),
    );
    assert.ok(report.total > 0, 'the report judges: these agents never logged in');
  });

  it('ends the same way when delivery is shuffled within the window and 20 % of events come twice', async () => {
    const scenarios = conversationScenarios(source, parties);
    const rounds = deliveryRounds(
      scenarios.map((scenario) => scenario.events),
      seededRandom(7),
      { blockSize: 3, duplicateRate: 0.2 },
    );
    const before = await simulatorStats(sim.simulator);
    const bridge = new BridgeClient(localEnvironment().client, { taskQueue, conversationSettings: settings });
    let duplicates = await submitRounds(bridge, 'conversation', rounds);
    for (const scenario of scenarios) duplicates += (await assertLanded(scenario)).counters.duplicates;
    assert.equal(duplicates, duplicatesIn(rounds));
    assert.ok(duplicates > 0);
    const stats = await simulatorStats(sim.simulator);
    assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0, 'no Genesys event was sent twice');
    assert.equal(stats.orderViolations - before.orderViolations, 0);
  });

  it('stops an unsupported sequence in Blocked with a clear reason, and completes after an operator skip', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, parties.a, parties.q);
    const interactionId = call[0]!.interactionId;
    // A hold by an agent who is not on the call, between the queueing and the answer.
    const bogus = interactionEventSchema.parse({
      ...call[1]!,
      eventId: randomUUID(),
      occurredAt: new Date(Date.parse(call[1]!.occurredAt) + 500).toISOString(),
      change: { type: 'held', agentId: parties.b },
    });
    await sendAll(client, taskQueue, [call[0]!, call[1]!, bogus, ...call.slice(2)]);
    const blocked = await untilConversation(client, interactionId, (status) => status.status === 'Blocked');
    assert.equal(blocked.blocked?.eventId, bogus.eventId);
    assert.equal(blocked.blocked?.kind, 'unsupported');
    assert.match(
      blocked.blocked?.reason ?? '',
      new RegExp(
        `^agent agent-2 is not on the interaction: held \\(event ${bogus.eventId}\\) in a voice conversation with customer, queue Sales$`,
      ),
    );
    const found = await client.workflow.count(
      `${byoiKind.name} = 'conversation' AND ${byoiStatus.name} = 'Blocked' AND WorkflowId = '${conversationWorkflowId(source, interactionId)}'`,
    );
    assert.equal(found.count, 1, 'findable as Blocked by its search attributes');

    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    // What the Web UI's list and header show of it.
    const description = await handle.describe();
    assert.equal(await description.staticSummary(), `voice ${interactionId} of ${source}`);
    assert.match(
      (await description.staticDetails()) ?? '',
      new RegExp(`Genesys conversation \`${blocked.conversationId}\``),
    );
    const attributes = description.typedSearchAttributes;
    assert.equal(attributes.get(byoiReason), blocked.message);
    assert.equal(attributes.get(byoiQueue), parties.q);
    assert.equal(attributes.get(byoiAgent), undefined, 'no agent leg before the answer');
    assert.deepEqual(await handle.executeUpdate(skipEventUpdate, { args: [{}] }), { eventId: bogus.eventId });
    const outcome = await handle.result();
    assert.equal(outcome.status, 'Completed');
    assert.deepEqual(
      outcome.ledger.map((entry) => [entry.eventId, entry.outcome]),
      [[bogus.eventId, 'skipped']],
    );
    const { legs } = await judge(outcome.conversationId!);
    assert.deepEqual(
      legs.map((leg) => leg.purpose),
      ['customer', 'acd', 'agent'],
    );
  });

  it('starts no new conversation for an event after completion, and says so', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, parties.a, parties.q);
    const interactionId = call[0]!.interactionId;
    await sendAll(client, taskQueue, call);
    const outcome = await result(client, interactionId);
    assert.equal(outcome.status, 'Completed');
    const conversationsBefore = (await inspect<unknown[]>(sim.simulator, 'conversations')).length;

    const late = interactionEventSchema.parse({
      ...call.at(-1)!,
      eventId: randomUUID(),
      change: { type: 'wrapUp', agentId: parties.a, code: parties.code },
    });
    const delivery = await sendInteractionEvent(client, taskQueue, late, settings);
    assert.equal(delivery.outcome, 'conversationFinished');
    assert.match(
      delivery.outcome === 'conversationFinished' ? delivery.reason : '',
      /has finished; event .+ \(voice\.wrapUp\) was not applied/,
    );
    const runs = await client.workflow.count(
      `WorkflowId = '${conversationWorkflowId(source, interactionId)}'`,
    );
    assert.equal(runs.count, 1, 'one run of the conversation, the finished one');
    assert.equal((await inspect<unknown[]>(sim.simulator, 'conversations')).length, conversationsBefore);
  });

  it('waits in WaitingForMapping for an agent Genesys does not know, and flows once a sync maps it', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, 'agent-late', parties.q);
    const interactionId = call[0]!.interactionId;
    await sendAll(client, taskQueue, call);
    const waiting = await untilConversation(
      client,
      interactionId,
      (status) => status.status === 'WaitingForMapping',
    );
    assert.equal(waiting.blocked?.kind, 'unmapped');
    assert.equal(waiting.blocked?.reason, 'no Genesys id yet for agent agent-late');
    assert.equal(waiting.blocked?.type, 'voice.answered');
    assert.equal(waiting.counters.applied, 2, 'the steps before it landed');

    const native = sim.seed.users.find((user) => user.primarySourceId === undefined)!;
    await users.addExternalId(bridge.client, native.id, { authorityName: source, externalKey: 'agent-late' });
    await client.workflow
      .getHandle(conversationWorkflowId(source, interactionId))
      .signal(directorySyncedSignal, { source, completedAt: new Date().toISOString() });
    const outcome = await result(client, interactionId);
    assert.equal(outcome.status, 'Completed');
    const { legs } = await judge(outcome.conversationId!);
    assert.deepEqual(
      legs.map((leg) => leg.purpose),
      ['customer', 'acd', 'agent'],
    );
  });

  it('retries a blocked step on an operator’s word and refuses a retry when nothing is blocked', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, parties.a, parties.q);
    const interactionId = call[0]!.interactionId;
    // The step that starts the call never comes: the first one is refused, and stays refused on retry.
    await sendAll(client, taskQueue, call.slice(1));
    const blocked = await untilConversation(client, interactionId, (status) => status.status === 'Blocked');
    assert.equal(blocked.blocked?.type, 'voice.queued');
    assert.match(
      blocked.blocked?.reason ?? '',
      /^a voice conversation starts with started: .* before the conversation started$/,
    );
    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    assert.match(
      await refusalOf(handle.executeUpdate(skipEventUpdate, { args: [{ eventId: 'no-such-event' }] })),
      /event no-such-event is not pending/,
    );
    // A directory sync retries it once (it might have been a mapping), then it waits again, quietly.
    await handle.signal(directorySyncedSignal, { source, completedAt: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const afterSync = await handle.query(conversationStatusQuery);
    assert.equal(afterSync.blocked?.eventId, blocked.blocked?.eventId);
    const { events } = await handle.fetchHistory();
    assert.ok((events?.length ?? 0) < 40, `${events?.length} history events: the workflow is not spinning`);
    assert.deepEqual(await handle.executeUpdate(retryBlockedUpdate), { eventId: blocked.blocked?.eventId });
    const again = await untilConversation(client, interactionId, (status) => status.status === 'Blocked');
    assert.equal(again.blocked?.eventId, blocked.blocked?.eventId, 'still refused: nothing was fixed');
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test: the ACD lost this call' }] });
    assert.match(await refusalOf(handle.executeUpdate(retryBlockedUpdate)), /already completed/);
  });

  it('abandons on an operator’s word, ending the live legs in Genesys', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, parties.a, parties.q).slice(0, 3);
    const interactionId = call[0]!.interactionId;
    await sendAll(client, taskQueue, call);
    await untilConversation(client, interactionId, (status) => status.counters.applied === 3);
    const handle = client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, interactionId),
    );
    assert.match(
      await refusalOf(handle.executeUpdate(abandonUpdate, { args: [{ reason: ' ' }] })),
      /give a reason to abandon/,
    );
    assert.match(await refusalOf(handle.executeUpdate(retryBlockedUpdate)), /nothing is blocked/);
    const answer = await handle.executeUpdate(abandonUpdate, {
      args: [{ reason: 'the ACD lost this call' }],
    });
    assert.equal(answer.legsEnded, 3);
    const outcome = await handle.result();
    assert.equal(outcome.status, 'Abandoned');
    assert.equal(outcome.message, 'the ACD lost this call');
    const { legs, record } = await judge(outcome.conversationId!);
    assert.deepEqual(
      legs.map((leg) => [leg.purpose, leg.disconnectType]),
      [
        ['customer', 'System'],
        ['acd', 'Transfer'],
        ['agent', 'System'],
      ],
    );
    assert.ok(record.endedAt);
  });

  it('is found, explained and unblocked from the operator CLI', async () => {
    const client = localEnvironment().client;
    const call = answeredCall(source, parties.a, parties.q);
    const interactionId = call[0]!.interactionId;
    const bogus = interactionEventSchema.parse({
      ...call[2]!,
      eventId: randomUUID(),
      occurredAt: new Date(Date.parse(call[2]!.occurredAt) + 500).toISOString(),
      change: { type: 'consultCompleted', consultId: 'never-started' },
    });
    await sendAll(client, taskQueue, [...call.slice(0, 3), bogus, ...call.slice(3)]);
    await untilConversation(client, interactionId, (status) => status.status === 'Blocked');
    const workflowId = conversationWorkflowId(source, interactionId);
    let listing = '';
    while (!listing.includes(workflowId)) {
      listing = await cliOutput(
        ['conversation', 'list', '--status', 'Blocked', '--source', source],
        taskQueue,
      );
    }
    assert.match(listing, new RegExp(`${workflowId}\tBlocked\t[0-9a-f-]{36}`));
    const explained = await cliOutput(['conversation', 'status', source, interactionId], taskQueue);
    assert.match(
      explained,
      new RegExp(
        `: Blocked — no consult never-started is in progress: consultCompleted \\(event ${bogus.eventId}\\)`,
      ),
    );
    assert.match(
      explained,
      /blocked on voice\.consultCompleted .*: .*no consult never-started is in progress/,
    );
    const skipped = await cliOutput(
      [
        'conversation',
        'skip',
        '--query',
        `${byoiStatus.name} = 'Blocked' AND WorkflowId = '${workflowId}'`,
        '--yes',
      ],
      taskQueue,
    );
    assert.match(skipped, new RegExp(`^\\[1/1\\] ${workflowId}: skipped event ${bogus.eventId}$`, 'm'));
    assert.match(skipped, /^skip: 1 done, 0 refused or failed$/m);
    assert.equal((await result(client, interactionId)).status, 'Completed');
  });
});
