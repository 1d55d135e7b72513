import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { vendorAdapters } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';
import { conversationWorkflowId } from '../client/library/conversation-events';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { simulatorConsistency } from '../simulator/consistency-client';
import { silentWav } from '../tools/load/contact-centre';
import { startAcknowledgementLog, type AcknowledgementLog } from '../tools/chaos/acknowledgements';
import { driveLoad } from '../tools/load/driver';
import { percentile } from '../simulator/latency';
import {
  contactCentreLoad,
  seedScale,
  shiftOpening,
  type LoadShape,
  type TimedEvent,
} from '../tools/load/generator';
import type { conversationWorkflow } from '../workflows/conversation';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';

const source = 'acd-load';

describe('a small contact centre driven through two ingress replicas', function () {
  this.timeout(180_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  // Two replicas, each holding its own events for the reorder window as two processes would, each
  // behind a log of what it acknowledged.
  let ingresses: Ingress[];
  let logs: AcknowledgementLog[];
  let directory: string;
  const taskQueue = uniqueTaskQueue('load');

  before(async () => {
    sim = await startTestSimulator({ agents: 20, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
    ingresses = await Promise.all(
      [1, 2].map(() =>
        startIngress({
          bridge: new BridgeClient(localEnvironment().client, {
            taskQueue,
            agentSettings: { reorderWindowMs: 500 },
            conversationSettings: { reorderWindowMs: 500, wrapUpWaitMs: 2_000 },
          }),
          temporal: localEnvironment().client,
          sources: { [source]: { tokens: ['load-token'] } },
          adapters: vendorAdapters(),
        }),
      ),
    );
    logs = await Promise.all(ingresses.map((ingress) => startAcknowledgementLog(ingress.url)));
    directory = await mkdtemp(path.join(tmpdir(), 'byoi-load-'));
  });
  after(async () => {
    for (const log of logs) await log.close();
    for (const ingress of ingresses) await ingress.close();
    await bridge.stop();
    await sim.simulator.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("delivers every event of a shift opening and 8 seconds of traffic once, in order, consistently, and settles every interaction, an agent's events landing on both replicas", async () => {
    const wav = silentWav(1);
    const recording = path.join(directory, 'call.wav');
    await writeFile(recording, wav);
    const shape: LoadShape = {
      ...seedScale,
      source,
      agents: sim.agents.map((agent) => agent.externalIds[0]!.externalKey),
      queues: sim.seed.queues.map((queue) => queue.name),
      // The worker has no snapshot: queues and presence states go by their Genesys names.
      agentQueues: Object.fromEntries(
        sim.agents.map((agent) => [
          agent.externalIds[0]!.externalKey,
          sim.seed.queues.filter((queue) => queue.memberIds.includes(agent.id)).map((queue) => queue.name),
        ]),
      ),
      wrapupCodes: sim.seed.wrapupCodes.map((code) => code.name),
      onQueueState: 'OnQueue',
      breaks: [{ state: 'Break', share: 1, meanMs: 40_000 }],
      presenceChangesPerMinute: 600,
      interactionsPerSecond: 1,
      // Lifecycles of minutes played in about two seconds.
      timeScale: 0.01,
      recordingUrl: () => pathToFileURL(recording).href,
      recordingBytes: wav.length,
      runId: `load-${Date.now()}`,
    };
    const startMs = Date.now();
    const timeline: TimedEvent[] = [
      ...shiftOpening(shape, startMs),
      ...contactCentreLoad(shape, startMs, 8_000),
    ];
    const before = await simulatorStats(sim.simulator);
    // In order, one request at a time, as an adapter reading an ordered stream sends: requests in flight
    // at once through two replicas may land further apart than the reorder window (a CI run's did), and
    // an event landing after a later one of its stream was published is late (docs/deployment.md).
    const stats = await driveLoad({
      ingressUrl: logs.map((log) => log.url),
      token: 'load-token',
      events: timeline,
      inOrder: true,
    });
    console.log(
      `      (${stats.sent} events in ${stats.requests} requests, p99 ${percentile(stats.requestMs, 99)} ms a request)`,
    );
    assert.deepEqual(stats.refusals, []);
    assert.equal(stats.accepted, timeline.length);
    assert.equal(stats.duplicate + stats.refused + stats.conversationFinished, 0);
    // The requests alternate between the replicas: most agents have events acknowledged by each.
    const agentsOf = (log: AcknowledgementLog) =>
      new Set(
        [...log.acknowledged.values()]
          .filter((event) => event.kind === 'agent')
          .map((event) => event.entityId),
      );
    const [first, second] = logs.map(agentsOf);
    const onBoth = [...first!].filter((agent) => second!.has(agent));
    assert.ok(onBoth.length >= sim.agents.length / 2, `${onBoth.length} agents on both replicas`);
    assert.equal(logs[0]!.acknowledged.size + logs[1]!.acknowledged.size, timeline.length);

    const interactions = [
      ...new Set(
        timeline
          .filter((timed) => timed.event.kind === 'conversation')
          .map((timed) => timed.event.interactionId as string),
      ),
    ];
    assert.ok(interactions.length >= 4, `${interactions.length} interactions`);
    let conversationEvents = 0;
    for (const interactionId of interactions) {
      const outcome = await localEnvironment()
        .client.workflow.getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
        .result();
      assert.equal(outcome.status, 'Completed', `${interactionId}: ${outcome.message ?? ''}`);
      assert.deepEqual(outcome.ledger, []);
      conversationEvents += outcome.counters.genesysEvents;
    }
    // Every presence and routing change, and every conversation event, accepted by Genesys.
    const expected = timeline.filter((timed) => timed.event.kind === 'agent').length + conversationEvents;
    for (;;) {
      const stats = await simulatorStats(sim.simulator);
      if (stats.eventsAccepted - before.eventsAccepted >= expected) {
        assert.equal(stats.eventsAccepted - before.eventsAccepted, expected);
        assert.equal(stats.orderViolations - before.orderViolations, 0);
        assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Genesys saw agents on queue when they took interactions, Interacting while they handled them.
    const consistency = await simulatorConsistency(sim.simulator.url, startMs);
    console.log(
      `      (consistency report: ${consistency.total} findings, ${JSON.stringify(consistency.byRule)})`,
    );
    const agentRules = ['routingStatusWithoutOnQueue', 'agentStateDuringInteraction', 'sameTimeInUserStream'];
    const agentFindings = consistency.findings.filter((finding) => agentRules.includes(finding.rule));
    for (const rule of agentRules) {
      assert.equal(consistency.byRule[rule] ?? 0, 0, `${rule}: ${JSON.stringify(agentFindings.slice(0, 3))}`);
    }
  });
});
