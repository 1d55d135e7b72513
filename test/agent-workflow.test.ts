import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { agentEventSchema, type AgentEvent, type AgentEventInput } from '../domain/events/agent-event';
import type { GenesysClient } from '../activities/genesys/client';
import { presence, users } from '../activities/genesys/directory';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { seededRandom } from '../simulator/random';
import { agentStatusQuery, retryDeadLettersUpdate, type AgentStatus } from '../workflows/agent';
import { directorySyncedSignal } from '../workflows/directory-signals';
import { byoiReason } from '../workflows/search-attributes';
import {
  agentChanges,
  assertStreamsDelivered,
  deliver,
  deliveryRounds,
  duplicatesIn,
  untilAgent,
} from './agent-fixtures';
import {
  inspect,
  isoAgo,
  requestsTo,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';

describe('the agent workflow on a dev server against the simulator', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let client: GenesysClient;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('agents');
  const settings = { reorderWindowMs: 3_000, mappingRetryMs: 60_000 };

  before(async () => {
    sim = await startTestSimulator({ agents: 70 });
    bridge = await runBridgeWorker(sim, taskQueue);
    client = bridge.client;
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  const agentEvent = (agentId: string, ageMs: number, change: AgentEventInput['change']): AgentEvent =>
    agentEventSchema.parse({
      source: 'acd',
      agentId,
      eventId: randomUUID(),
      occurredAt: isoAgo(ageMs),
      change,
    });

  const until = (agentId: string, check: (status: AgentStatus) => boolean) =>
    untilAgent(localEnvironment().client, 'acd', agentId, check);

  it('delivers 2,000 changes of 50 agents, shuffled and 20 % duplicated, once each and in order', async () => {
    const agentIds = Array.from({ length: 50 }, (_, index) => `agent-${index + 21}`);
    const startMs = Date.now() - 10 * 60_000;
    const streams = agentIds.map((agentId) => agentChanges('acd', agentId, 40, startMs));
    const rounds = deliveryRounds(streams, seededRandom(11), { blockSize: 5, duplicateRate: 0.2 });
    const before = await simulatorStats(sim.simulator);
    const startedAt = Date.now();
    // The first round once more at the end: duplicates only the workflows can recognise.
    const delivered = [...rounds, rounds[0]!];
    const answered = await deliver(localEnvironment().client, taskQueue, delivered, settings);
    const statuses = await assertStreamsDelivered(localEnvironment().client, sim, streams);
    const counted = statuses.reduce((sum, status) => sum + status.counters.duplicates, 0);
    const duplicates = counted + answered;
    const requests = (await requestsTo(sim.simulator, '/api/v2/events/users')).filter(
      (request) => request.at >= startedAt,
    );
    console.log(
      `      (${duplicates} duplicates dropped, ${counted} by the workflows; 2,000 changes in ${requests.length} requests, up to ` +
        `${Math.max(...requests.map((request) => request.events ?? 0))} a request, ${Date.now() - startedAt} ms)`,
    );
    assert.equal(duplicates, duplicatesIn(delivered));
    const firstRound = new Set(rounds[0]!.map((event) => event.eventId)).size;
    assert.ok(counted >= firstRound, `the workflows dropped the resubmitted round (${counted})`);
    assert.ok(duplicates > 300, `about 20 % of 2,000 were repeated (${duplicates})`);
    const stats = await simulatorStats(sim.simulator);
    // Applied once each is proven by the timelines above. An id Genesys sees twice is a publish attempt that
    // timed out on a starved machine after its batch went out, retried under the same ids, which Genesys
    // applies once (contract §4.7); a handful, never the resubmitted round's hundreds.
    const resent = stats.duplicateEventIds - before.duplicateEventIds;
    assert.ok(resent <= 10, `Genesys saw ${resent} event ids twice`);
    assert.equal(stats.orderViolations - before.orderViolations, 0);
  });

  it('records a late event and one past the 7-day limit in its ledger without sending them', async () => {
    await sendAgentEvent(
      localEnvironment().client,
      taskQueue,
      agentEvent('agent-3', 5_000, { kind: 'presence', state: 'Available' }),
      settings,
    );
    await until('agent-3', (status) => status.counters.published === 1);
    await sendAgentEvent(
      localEnvironment().client,
      taskQueue,
      agentEvent('agent-3', 20_000, { kind: 'presence', state: 'Break' }),
      settings,
    );
    await sendAgentEvent(
      localEnvironment().client,
      taskQueue,
      agentEvent('agent-3', 8 * 86_400_000, { kind: 'routingStatus', status: 'Idle' }),
      settings,
    );
    const status = await until('agent-3', (current) => current.ledger.length === 2);
    assert.deepEqual(status.ledger.map((entry) => entry.outcome).sort(), ['late', 'tooOld']);
    assert.equal(status.counters.published, 1);
  });

  it('re-queues refused events on an operator’s word, and keeps in the ledger one its stream has moved past', async () => {
    const handle = localEnvironment().client.workflow.getHandle(agentWorkflowId('acd', 'agent-5'));
    // A state the mapping does not know: Genesys never gets it, the ledger keeps it as rejected.
    const coffee = agentEvent('agent-5', 20_000, { kind: 'presence', state: 'Coffee' });
    await sendAgentEvent(localEnvironment().client, taskQueue, coffee, settings);
    await until('agent-5', (status) => status.counters.rejected === 1);
    assert.deepEqual(await handle.executeUpdate(retryDeadLettersUpdate), { requeued: 1 });
    const again = await until('agent-5', (status) => status.counters.rejected === 1);
    assert.deepEqual(
      again.ledger.map((entry) => [entry.eventId, entry.outcome]),
      [[coffee.eventId, 'rejected']],
    );
    // A later change lands; the refused one is now before what Genesys accepted for its stream.
    const available = agentEvent('agent-5', 10_000, { kind: 'presence', state: 'Available' });
    await sendAgentEvent(localEnvironment().client, taskQueue, available, settings);
    await until('agent-5', (status) => status.counters.published === 1);
    assert.deepEqual(await handle.executeUpdate(retryDeadLettersUpdate), { requeued: 0 });
    const status = await handle.query(agentStatusQuery);
    assert.deepEqual(
      status.ledger.map((entry) => [entry.eventId, entry.outcome]),
      [[coffee.eventId, 'late']],
    );
    assert.equal(status.counters.rejected, 0);
    assert.equal(status.counters.late, 1);
  });

  it('waits for a mapping, visibly, and delivers once a directory sync has mapped the agent', async () => {
    const available = agentEvent('agent-new', 2_000, { kind: 'presence', state: 'Available' });
    await sendAgentEvent(localEnvironment().client, taskQueue, available, settings);
    const waiting = await until('agent-new', (status) => status.status === 'WaitingForMapping');
    assert.match(waiting.message ?? '', /no Genesys user carries external id acd\/agent-new/);
    // Findable the way an operator looks for it (visibility catches up with the upsert shortly).
    const query = `ByoiStatus = 'WaitingForMapping' AND ByoiExternalId = 'agent-new'`;
    while ((await localEnvironment().client.workflow.count(query)).count !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // What the Web UI's list and header show of it: the reason beside the status, the summary on top.
    const description = await localEnvironment()
      .client.workflow.getHandle(agentWorkflowId('acd', 'agent-new'))
      .describe();
    assert.equal(description.typedSearchAttributes.get(byoiReason), waiting.message);
    assert.equal(await description.staticSummary(), 'agent agent-new of acd: presence and routing status');
    const supervisor = sim.seed.users[0]!;
    await users.addExternalId(client, supervisor.id, { authorityName: 'acd', externalKey: 'agent-new' });
    await presence.setPrimarySource(client, supervisor.id, sim.sourceId);
    await localEnvironment()
      .client.workflow.getHandle(agentWorkflowId('acd', 'agent-new'))
      .signal(directorySyncedSignal, { source: 'acd', completedAt: new Date().toISOString() });
    const delivered = await until('agent-new', (status) => status.counters.published === 1);
    assert.equal(delivered.status, 'Running');
    const running = await localEnvironment()
      .client.workflow.getHandle(agentWorkflowId('acd', 'agent-new'))
      .describe();
    assert.equal(running.typedSearchAttributes.get(byoiReason), '', 'the reason is cleared once it runs');
    assert.equal(delivered.genesysUserId, supervisor.id);
    // The publish that found no user sent nothing, so the event keeps its own time.
    const timeline = await inspect<{ presence: { eventDateTime: string }[] }>(
      sim.simulator,
      `users/${supervisor.id}/timeline`,
    );
    assert.deepEqual(
      timeline.presence.map((entry) => entry.eventDateTime),
      [available.occurredAt],
    );
  });

  it('stops in Conflict, saying why, when another source is the user’s primary presence source', async () => {
    await presence.setPrimarySource(client, sim.agents[1]!.id, 'PURECLOUD');
    await sendAgentEvent(
      localEnvironment().client,
      taskQueue,
      agentEvent('agent-2', 2_000, { kind: 'routingStatus', status: 'Idle' }),
      settings,
    );
    const conflict = await until('agent-2', (status) => status.status === 'Conflict');
    assert.match(conflict.message ?? '', /primary presence source is PURECLOUD, not acd/);
    assert.equal(conflict.counters.published, 0);
    assert.equal(conflict.pending, 1);
  });
});
