import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import axios from 'axios';
import type { AgentEvent } from '../domain/events/agent-event';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { seededRandom } from '../simulator/random';
import {
  agentChanges,
  assertDeliveredExactlyOnce,
  assertStreamsDelivered,
  deliver,
  deliveryRounds,
  duplicatesIn,
  untilAgent,
} from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import {
  requestsTo,
  setFaults,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';
import { freePort, localEnvironment, uniqueTaskQueue } from './harness';
import { exited, workerProcess } from './processes';

/** Changes of `count` agents of `source` from `agent-<first>` on, `perAgent` each, starting ten minutes ago. */
function streamsOf(source: string, first: number, count: number, perAgent: number): AgentEvent[][] {
  const startMs = Date.now() - 10 * 60_000;
  return Array.from({ length: count }, (_, index) =>
    agentChanges(source, `agent-${first + index}`, perAgent, startMs),
  );
}

describe('the agent workflow under failure and long life', function () {
  this.timeout(180_000);
  const source = 'acd-resilience';
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('agents-resilience');
  const client = () => localEnvironment().client;

  before(async () => {
    // Ordering and failure are under test here, not pacing: the budget stays out of the way.
    sim = await startTestSimulator({
      agents: 20,
      sourceName: source,
      limits: { requestsPerWindow: 1_000_000 },
    });
    bridge = await runBridgeWorker(sim, taskQueue, { client: { requestsPerMinute: 1_000_000 } });
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  it('delivers every change in order through a storm of 30 % 503s and 10 % 429s', async function () {
    // Retries back off to a minute: a stream that draws several faults in a row waits that long, so the
    // storm takes 70 to 180 s here, as the faults happen to fall.
    this.timeout(300_000);
    const eventPaths = '/api/v2/events/users';
    await setFaults(sim.simulator, {
      seed: 7,
      rules: [
        { path: eventPaths, status: 503, rate: 0.3 },
        // 1/7 of the 70 % left is 10 % of all requests.
        { path: eventPaths, status: 429, rate: 1 / 7, retryAfterSeconds: 1 },
      ],
    });
    try {
      const streams = streamsOf(source, 1, 8, 10);
      const rounds = deliveryRounds(streams, seededRandom(5), { blockSize: 5, duplicateRate: 0.2 });
      await deliver(client(), taskQueue, rounds, { reorderWindowMs: 2_000 });
      await assertStreamsDelivered(client(), sim, streams);
      const answered = (await requestsTo(sim.simulator, eventPaths)).map((request) => request.status);
      const share = (status: number) =>
        answered.filter((answer) => answer === status).length / answered.length;
      assert.ok(share(503) > 0.15, `503s: ${share(503)} of ${answered.length} requests`);
      assert.ok(share(429) > 0.03, `429s: ${share(429)} of ${answered.length} requests`);
      assert.equal((await simulatorStats(sim.simulator)).orderViolations, 0);
    } finally {
      await setFaults(sim.simulator, {});
    }
  });

  it('continues as new under load, losing and repeating nothing, carrying every eventId compactly', async () => {
    const streams = streamsOf(source, 11, 2, 120);
    const rounds = deliveryRounds(streams, seededRandom(9), { blockSize: 6, duplicateRate: 0.2 });
    // A low threshold: every run publishes a round or two and hands the rest on (it stalled once).
    const settings = { reorderWindowMs: 1_000, continueAsNewAfterHistoryEvents: 20 };
    const before = await simulatorStats(sim.simulator);
    const answered = await deliver(client(), taskQueue, rounds, settings);
    const statuses = await assertStreamsDelivered(client(), sim, streams);
    for (const { agentId } of statuses) {
      let runs = 0;
      const taskTimeouts = new Set<number>();
      for await (const execution of client().workflow.list({
        query: `WorkflowId = '${agentWorkflowId(source, agentId)}'`,
      })) {
        runs++;
        const described = await client().workflow.getHandle(execution.workflowId, execution.runId).describe();
        taskTimeouts.add(Number(described.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds));
      }
      assert.ok(runs >= 4, `${agentId} continued as new ${runs - 1} times`);
      // Started with a minute (client/library/task-timeout.ts), and every continuation keeps it.
      assert.deepEqual([...taskTimeouts], [60], `${agentId}: each run's workflow-task timeout in seconds`);
    }
    // Every id of the day is still remembered after the hand-overs, at about 11 bytes each.
    for (const [index, status] of statuses.entries()) {
      assert.equal(status.carried.eventIds, streams[index]!.length, status.agentId);
      assert.ok(status.carried.bytes < 4_000 + 12 * status.carried.eventIds, `${status.carried.bytes} bytes`);
    }
    assert.equal(
      statuses.reduce((sum, status) => sum + status.counters.duplicates, 0) + answered,
      duplicatesIn(rounds),
    );
    const stats = await simulatorStats(sim.simulator);
    assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0);
    assert.equal(stats.orderViolations - before.orderViolations, 0);
  });

  it('abandons a publish that hangs, and its retry joins the hung request instead of sending the event twice', async () => {
    await setFaults(sim.simulator, {
      rules: [{ path: '/api/v2/events/users/presence', latencyMs: 4_000, times: 1 }],
    });
    try {
      const [event] = agentChanges(source, 'agent-15', 1, Date.now() - 5_000);
      const before = await simulatorStats(sim.simulator);
      const sentAt = Date.now();
      await sendAgentEvent(client(), taskQueue, event!, { reorderWindowMs: 100, publishTimeoutMs: 1_500 });
      await assertStreamsDelivered(client(), sim, [[event!]]);
      // Delivered by the hung request itself, after the attempts that gave up on it.
      assert.ok(Date.now() - sentAt >= 4_000, `delivered ${Date.now() - sentAt} ms after it was sent`);
      await assertDeliveredExactlyOnce(sim, [event!]);
      const stats = await simulatorStats(sim.simulator);
      assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0, 'sent once');
    } finally {
      await setFaults(sim.simulator, {});
    }
  });
});

describe('agent workflows whose worker process is killed', function () {
  this.timeout(240_000);
  const source = 'acd-crash';
  let sim: TestSimulator;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('agents-crash');

  before(async () => {
    sim = await startTestSimulator({
      agents: 20,
      sourceName: source,
      limits: { requestsPerWindow: 1_000_000 },
    });
  });
  afterEach(async () => {
    worker?.kill('SIGTERM');
    if (worker) await exited(worker);
  });
  after(async () => {
    await sim.simulator.stop();
  });

  it('loses and repeats nothing when the worker is SIGKILLed mid-stream and restarted', async () => {
    // Slow answers a little so the kill lands with publishes in flight.
    await setFaults(sim.simulator, { rules: [{ path: '/api/v2/events/users', latencyMs: 150 }] });
    const streams = streamsOf(source, 1, 10, 30);
    const rounds = deliveryRounds(streams, seededRandom(3), { blockSize: 5, duplicateRate: 0.2 });
    const settings = { reorderWindowMs: 1_000, publishTimeoutMs: 5_000 };
    worker = workerProcess(sim, taskQueue);
    await deliver(localEnvironment().client, taskQueue, rounds, settings);
    const accepted = async () => (await simulatorStats(sim.simulator)).eventsAccepted;
    while ((await accepted()) < 90) await new Promise((resolve) => setTimeout(resolve, 50));
    worker.kill('SIGKILL');
    await exited(worker);
    const acceptedBeforeKill = await accepted();
    assert.ok(acceptedBeforeKill < 300, `the kill came after ${acceptedBeforeKill} of 300 changes`);
    worker = workerProcess(sim, taskQueue);
    await assertStreamsDelivered(localEnvironment().client, sim, streams);
    assert.equal((await simulatorStats(sim.simulator)).orderViolations, 0);
    await setFaults(sim.simulator, {});
  });

  it('counts what became of each event in the worker’s Prometheus metrics', async () => {
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    worker = workerProcess(sim, taskQueue, { BYOI_METRICS_ADDRESS: metricsAddress });
    const [first, second] = agentChanges(source, 'agent-20', 2, Date.now() - 60_000);
    const late = agentChanges(source, 'agent-20', 1, Date.now() - 120_000)[0]!;
    const settings = { reorderWindowMs: 100 };
    for (const event of [first!, second!, second!]) {
      await sendAgentEvent(localEnvironment().client, taskQueue, event, settings);
    }
    await untilAgent(
      localEnvironment().client,
      source,
      'agent-20',
      (current) => current.counters.published === 2,
    );
    await sendAgentEvent(localEnvironment().client, taskQueue, late, settings);
    await untilAgent(localEnvironment().client, source, 'agent-20', (current) => current.counters.late === 1);
    const expected = { received: 4, published: 2, duplicates: 1, late: 1 };
    let counts: Record<string, number> = {};
    // The runtime exports on its own period: wait for the counts to show.
    for (let attempt = 0; attempt < 100; attempt++) {
      counts = await agentEventCounts(metricsAddress);
      if (Object.entries(expected).every(([outcome, value]) => counts[outcome] === value)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual(
      Object.fromEntries(Object.keys(expected).map((outcome) => [outcome, counts[outcome]])),
      expected,
    );
  });
});

/** `byoi_agent_events_total` by outcome, as the worker's Prometheus endpoint reports it. */
async function agentEventCounts(address: string): Promise<Record<string, number>> {
  try {
    const { data } = await axios.get<string>(`http://${address}/metrics`, { responseType: 'text' });
    const counts: Record<string, number> = {};
    for (const line of data.split('\n')) {
      const match = /^byoi_agent_events_total\{([^}]*)\} (\d+)/.exec(line);
      const outcome = match && /outcome="([^"]+)"/.exec(match[1]!)?.[1];
      if (outcome) counts[outcome] = (counts[outcome] ?? 0) + Number(match[2]);
    }
    return counts;
  } catch {
    return {}; // Not listening yet.
  }
}
