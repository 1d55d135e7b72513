/**
 * Records the workflow histories that test/replay.test.ts replays: each scenario runs the bridge's
 * current workflows on a throwaway dev server and its history is written to
 * test/histories/<workflow>/<scenario>.json. Re-record only on purpose: a recorded history stands for
 * workflows already running in production, and the replay test exists to keep them replayable.
 *
 *   npx tsx scripts/record-histories.ts [scenario…]
 *
 * A history from a real cluster works as well: `temporal workflow show -w <id> --output json > file`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { version } from '../package.json';
import { loadConfig } from '../config';
import { createBridgeWorker } from '../workers/worker';
import { connectGenesys } from '../activities/genesys';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { BridgeClient } from '../client/library/bridge-client';
import { DirectoryMapping } from '../activities/directory/mapping';
import { createSimulator, defaultSeed, defaultSimulatorClient } from '../simulator';
import { agentStatusQuery } from '../workflows/agent';
import { interactionEventSchema } from '../domain/events/interaction-event';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import {
  conversationStatusQuery,
  skipEventUpdate,
  type conversationWorkflow,
} from '../workflows/conversation';
import { directorySyncWorkflow, selfCheckWorkflow } from '../workflows';
import { byoiSearchAttributes } from '../workflows/search-attributes';
import { silentWav } from '../tools/load/contact-centre';
import { projectRoot, temporalCliExecutable } from '../tools/stack/toolchain';

/**
 * A recorded scenario: starts one workflow and returns its id once it has reached the state to keep
 * (with a run id when the run to keep is not the latest, e.g. one that continued as new).
 */
interface Scenario {
  workflow: string;
  name: string;
  run(
    client: Client,
    taskQueue: string,
    workspace: string,
  ): Promise<string | { workflowId: string; runId: string }>;
}

const scenarios: Scenario[] = [
  {
    workflow: 'agentWorkflow',
    name: 'refused-then-published',
    async run(client, taskQueue) {
      const occurred = (ageMs: number) => new Date(Date.now() - ageMs).toISOString();
      // A state with no Genesys presence is refused for good; the agent is looked up again, the stream moves on.
      for (const [index, state] of ['Dancing', 'Available'].entries()) {
        await sendAgentEvent(
          client,
          taskQueue,
          {
            source: 'acd',
            agentId: 'agent-4',
            eventId: randomUUID(),
            occurredAt: occurred(2_000 - index * 1_000),
            change: { kind: 'presence', state },
          },
          { reorderWindowMs: 200 },
        );
      }
      const handle = client.workflow.getHandle(agentWorkflowId('acd', 'agent-4'));
      for (;;) {
        const { counters } = await handle.query(agentStatusQuery);
        if (counters.rejected === 1 && counters.published === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return handle.workflowId;
    },
  },
  {
    workflow: 'agentWorkflow',
    name: 'submitted-through-the-ingress',
    async run(client, taskQueue) {
      const bridge = new BridgeClient(client, { taskQueue, agentSettings: { reorderWindowMs: 200 } });
      const event = (state: string, ageMs: number) => ({
        kind: 'agent',
        source: 'acd',
        agentId: 'agent-3',
        eventId: randomUUID(),
        occurredAt: new Date(Date.now() - ageMs).toISOString(),
        change: { kind: 'presence', state },
      });
      const batch = [event('Available', 3_000), event('Break', 2_000)];
      await bridge.submit(batch);
      // The same batch again: duplicates, answered by the workflow.
      await bridge.submit(batch);
      const handle = client.workflow.getHandle(agentWorkflowId('acd', 'agent-3'));
      while ((await handle.query(agentStatusQuery)).counters.published < 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return handle.workflowId;
    },
  },
  {
    workflow: 'conversationWorkflow',
    name: 'blocked-skipped-recorded',
    async run(client, taskQueue, workspace) {
      const file = path.join(workspace, 'call.wav');
      const wav = silentWav(1);
      writeFileSync(file, wav);
      const startMs = Date.now() - 10_000;
      const changes = [
        { type: 'started', direction: 'inbound', ani: '+15550100', dnis: '+15550199' },
        { type: 'queued', queueId: 'Sales' },
        { type: 'held', agentId: 'agent-2' },
        { type: 'answered', agentId: 'agent-1' },
        { type: 'disconnected', party: { kind: 'customer' } },
        { type: 'wrapUp', agentId: 'agent-1', code: 'Resolved' },
        {
          type: 'recordingReady',
          url: pathToFileURL(file).href,
          contentType: 'audio/wav',
          sizeBytes: wav.length,
        },
      ];
      const events = changes.map((change, index) =>
        interactionEventSchema.parse({
          source: 'acd',
          channel: 'voice',
          interactionId: 'call-1',
          eventId: randomUUID(),
          occurredAt: new Date(startMs + index * 1_000).toISOString(),
          change,
        }),
      );
      // One event twice: the duplicate is dropped.
      for (const event of [...events, events[3]!]) {
        await sendInteractionEvent(client, taskQueue, event, { reorderWindowMs: 200, wrapUpWaitMs: 1_000 });
      }
      const handle = client.workflow.getHandle<typeof conversationWorkflow>(
        conversationWorkflowId('acd', 'call-1'),
      );
      while ((await handle.query(conversationStatusQuery)).status !== 'Blocked') {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await handle.executeUpdate(skipEventUpdate, { args: [{}] });
      const outcome = await handle.result();
      if (outcome.status !== 'Completed' || outcome.recording.state !== 'uploaded') {
        throw new Error(`the recorded conversation ended ${outcome.status}: ${outcome.message ?? ''}`);
      }
      return handle.workflowId;
    },
  },
  {
    workflow: 'agentWorkflow',
    name: 'three-changes',
    async run(client, taskQueue) {
      const occurred = (ageMs: number) => new Date(Date.now() - ageMs).toISOString();
      const changes = [
        { kind: 'presence' as const, state: 'Available' },
        { kind: 'routingStatus' as const, status: 'Idle' as const },
        { kind: 'presence' as const, state: 'Break' },
      ];
      for (const [index, change] of changes.entries()) {
        await sendAgentEvent(
          client,
          taskQueue,
          {
            source: 'acd',
            agentId: 'agent-1',
            eventId: randomUUID(),
            occurredAt: occurred(3_000 - index * 1_000),
            change,
          },
          { reorderWindowMs: 200 },
        );
      }
      const handle = client.workflow.getHandle(agentWorkflowId('acd', 'agent-1'));
      while ((await handle.query(agentStatusQuery)).counters.published < 3) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return handle.workflowId;
    },
  },
  {
    workflow: 'agentWorkflow',
    name: 'continued-as-new',
    async run(client, taskQueue) {
      // A duplicate, a late change and several runs: the first run, which carries its state on, is kept.
      const occurred = (ageMs: number) => new Date(Date.now() - ageMs).toISOString();
      const settings = { reorderWindowMs: 200, continueAsNewAfterHistoryEvents: 20 };
      const changes = Array.from({ length: 8 }, (_, index) => ({
        source: 'acd',
        agentId: 'agent-2',
        eventId: randomUUID(),
        occurredAt: occurred(60_000 - index * 1_000),
        change:
          index % 2 === 0
            ? { kind: 'presence' as const, state: index % 4 === 0 ? 'Available' : 'Busy' }
            : {
                kind: 'routingStatus' as const,
                status: index % 4 === 1 ? ('Idle' as const) : ('Interacting' as const),
              },
      }));
      for (const change of [...changes, changes[3]!])
        await sendAgentEvent(client, taskQueue, change, settings);
      const handle = client.workflow.getHandle(agentWorkflowId('acd', 'agent-2'));
      while ((await handle.query(agentStatusQuery)).counters.published < 8) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await sendAgentEvent(client, taskQueue, { ...changes[0]!, eventId: randomUUID() }, settings);
      while ((await handle.query(agentStatusQuery)).counters.late < 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const query = `WorkflowId = '${handle.workflowId}' AND ExecutionStatus = 'ContinuedAsNew'`;
      for (;;) {
        for await (const execution of client.workflow.list({ query })) {
          return { workflowId: handle.workflowId, runId: execution.runId };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  },
  {
    workflow: 'directorySyncWorkflow',
    name: 'five-agents',
    async run(client, taskQueue, workspace) {
      const snapshot = path.join(workspace, 'snapshot.json');
      writeFileSync(
        snapshot,
        JSON.stringify({
          source: 'acd',
          users: Array.from({ length: 5 }, (_, index) => ({
            externalId: `agent-${index + 1}`,
            name: `Agent ${index + 1}`,
            email: `agent-${index + 1}@example.com`,
            queues: ['q-1'],
          })),
          queues: [{ externalId: 'q-1', name: 'Recorded queue' }],
        }),
      );
      const workflowId = `directory/acd/${randomUUID()}`;
      await client.workflow.execute(directorySyncWorkflow, {
        taskQueue,
        workflowId,
        args: [{ source: 'acd', snapshot: { kind: 'file', path: snapshot } }],
      });
      return workflowId;
    },
  },
  {
    workflow: 'selfCheckWorkflow',
    name: 'with-genesys-check',
    async run(client, taskQueue) {
      const workflowId = `self-check-${randomUUID()}`;
      await client.workflow.execute(selfCheckWorkflow, { taskQueue, workflowId });
      return workflowId;
    },
  },
];

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCliExecutable(),
      ip: '127.0.0.1',
      searchAttributes: [...byoiSearchAttributes],
    },
  });
  const stops: (() => Promise<void> | void)[] = [];
  try {
    const config = { ...loadConfig({}), taskQueue: `record-${randomUUID()}` };
    const simulator = await createSimulator({ organization: defaultSeed({ agents: 4 }) });
    stops.push(() => simulator.stop());
    const workspace = mkdtempSync(path.join(tmpdir(), 'record-histories-'));
    stops.push(() => rmSync(workspace, { recursive: true, force: true }));
    const genesys = connectGenesys({
      hosts: { apiBaseUrl: simulator.url, loginBaseUrl: simulator.url },
      ...defaultSimulatorClient,
      requestsPerMinute: 300,
      budgetHeadroom: 0.1,
      maxEventsPerBatch: 100,
      maxBatchBytes: 1_048_576,
      publishIntervalMs: 0,
    });
    stops.push(() => genesys.client.close());
    const worker = await createBridgeWorker({
      connection: environment.nativeConnection,
      config,
      dependencies: {
        bridgeVersion: version,
        genesys,
        temporal: environment.client,
        mapping: new DirectoryMapping(genesys.client),
      },
    });
    await worker.runUntil(async () => {
      for (const scenario of scenarios) {
        if (wanted.size > 0 && !wanted.has(scenario.name) && !wanted.has(scenario.workflow)) continue;
        const kept = await scenario.run(environment.client, config.taskQueue, workspace);
        const { workflowId, runId } =
          typeof kept === 'string' ? { workflowId: kept, runId: undefined } : kept;
        const history = await environment.client.workflow.getHandle(workflowId, runId).fetchHistory();
        const file = path.join(projectRoot, 'test', 'histories', scenario.workflow, `${scenario.name}.json`);
        mkdirSync(path.dirname(file), { recursive: true });
        // The same JSON form as `temporal workflow show --output json`, which the replayer reads.
        writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
        console.log(`recorded ${path.relative(projectRoot, file)} (${history.events?.length ?? 0} events)`);
      }
    });
  } finally {
    for (const stop of stops.reverse()) await stop();
    await environment.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
