/**
 * The main job (`npm start`): starts the embedded stack — the Temporal dev server with its Web UI, the
 * Genesys simulator and a bridge worker as its own process — proves the whole path with a round trip
 * through the bridge's task queue to Genesys, and prints where to look. With TEMPORAL_ADDRESS set it
 * uses that server instead of starting one; with Genesys settings it reaches that Genesys instead of
 * starting the simulator.
 */
import type { ChildProcess } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import {
  ensureDirectorySyncSchedule,
  formatDirectoryReport,
  runDirectorySync,
} from '../client/library/directory-sync';
import { createSimulator, defaultSeed } from '../simulator';
import { loadConfig, type BridgeConfig } from '../config';
import { selfCheckWorkflow } from '../workflows';
import type { conversationWorkflow } from '../workflows/conversation';
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import { vendorAdapters } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';
import { conversationWorkflowId } from '../client/library/conversation-events';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { startDevServer, type DevServer } from '../tools/stack/dev-server';
import {
  contactCentreDirectory,
  demoInteractions,
  loadParties,
  silentWav,
} from '../tools/load/contact-centre';
import { formatConsistency, simulatorConsistency } from '../simulator/consistency-client';
import { driveLoad } from '../tools/load/driver';
import { percentile } from '../simulator/latency';
import {
  contactCentreLoad,
  seedScale,
  shiftOpening,
  type LoadShape,
  type TimedEvent,
} from '../tools/load/generator';
import { AgentStates, playFaults } from '../tools/demo/faults';
import {
  requestsBetween,
  simulatorCounters,
  simulatorGenesysEnvironment,
  simulatorLatency,
  startProgram,
  stopProcess,
  sumWhere,
} from '../tools/stack/stack';

interface DemoFlags {
  keepRunning: boolean;
  seconds: number;
  agents: number;
}

function wholeNumber(min: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`a whole number ≥ ${min}`);
    return parsed;
  };
}

async function main(): Promise<void> {
  const flags = new Command('demo')
    .description('Run byoi-bridge end to end on the embedded stack.')
    .option('--keep-running', 'leave the stack up until Ctrl-C', false)
    .option(
      '--seconds <n>',
      'how long to play the generated contact centre through the ingress (0: not at all)',
      wholeNumber(0),
      120,
    )
    .option('--agents <n>', 'agents in the generated contact centre', wholeNumber(6), 20)
    .parse()
    .opts<DemoFlags>();
  const config = loadConfig();
  const stopping: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stopping.reverse()) await stop();
  };
  try {
    const server = await ensureTemporal(config);
    if (server) stopping.push(() => server.stop());
    const uiUrl = server?.uiUrl;

    const workerEnvironment: NodeJS.ProcessEnv = {};
    let simulatorUrl: string | undefined;
    if (config.genesys) {
      step(`using Genesys at ${config.genesys.hosts.apiBaseUrl}`);
    } else {
      const simulator = await createSimulator({
        port: config.simulator.port,
        // No agents yet: the directory sync below creates them, as it would in a new organisation.
        organization: defaultSeed(),
      });
      stopping.push(() => simulator.stop());
      simulatorUrl = simulator.url;
      step(`Genesys simulator at ${simulator.url} (inspection: ${simulator.url}/__simulator/stats)`);
      Object.assign(workerEnvironment, {
        // The worker maps the demo contact centre's queue and wrap-up code ids through its snapshot.
        ...(config.directory.snapshot ? {} : { BYOI_DIRECTORY_SNAPSHOT: demoSnapshotFile(config) }),
        ...simulatorGenesysEnvironment(simulator.url),
      });
    }

    const worker = startWorkerProcess(config, workerEnvironment);
    stopping.push(() => stopProcess(worker));

    const connection = await Connection.connect(config.temporal.connectionOptions);
    stopping.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const workflowId = `self-check-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    step(`running ${workflowId} through task queue ${config.taskQueue}`);
    const result = await client.workflow.execute(selfCheckWorkflow, {
      taskQueue: config.taskQueue,
      workflowId,
      workflowExecutionTimeout: '1 minute',
    });
    step(
      `worker pid ${result.worker.pid} on ${result.worker.hostname} (byoi-bridge ${result.worker.bridgeVersion}, Node ${result.worker.nodeVersion}) answered`,
    );
    const genesys = result.genesys;
    if (genesys?.configured && 'error' in genesys) {
      step(`the worker could not use Genesys at ${genesys.apiBaseUrl}: ${genesys.error}`);
    } else if (genesys?.configured) {
      step(
        `the worker reached Genesys at ${genesys.apiBaseUrl}: home division "${genesys.homeDivision}", ${genesys.presenceDefinitions} presence definitions, ${genesys.requestsAllowedPerMinute ?? 'unknown'} requests/min allowed`,
      );
    } else {
      step('the worker has no Genesys connection configured');
    }
    if (uiUrl) step(`Web UI: ${uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`);

    const synced = await syncDirectory(client, config, flags.agents);
    if (synced && simulatorUrl) {
      const ingress = await startDemoIngress(client, config);
      stopping.push(() => ingress.close());
      // What each agent's latest event said, so the fault scenarios carry on from there.
      const agentStates = new AgentStates();
      await runThroughIngress(client, config, ingress, uiUrl, agentStates);
      const recentEvents =
        flags.seconds > 0
          ? await playContactCentre(client, config, ingress, flags, simulatorUrl, agentStates)
          : [];
      const recording = path.resolve(config.dataDir, 'demo-call.wav');
      await playFaults({
        client,
        source: config.directory.source,
        taskQueue: config.taskQueue,
        namespace: config.temporal.namespace,
        ingress,
        simulatorUrl,
        uiUrl,
        agents: flags.agents,
        snapshotFile: demoSnapshotFile(config),
        recentEvents,
        agentStates,
        recordingUrl: pathToFileURL(recording).href,
        recordingBytes: statSync(recording).size,
        step,
      });
      await reportConsistency(simulatorUrl, 'at the end');
    }
    step(`workflows and their state persist in ${config.devServer.dbFile}`);

    if (flags.keepRunning) {
      step('the stack stays up; press Ctrl-C to stop it');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    step('stopping');
    await stopAll();
  }
}

/**
 * Schedules the directory sync and runs it once now: against the simulator with a generated 20-agent
 * contact centre, against real Genesys only with the operator's own snapshot (BYOI_DIRECTORY_SNAPSHOT).
 */
async function syncDirectory(client: Client, config: BridgeConfig, agents: number): Promise<boolean> {
  let snapshot = config.directory.snapshot;
  if (snapshot === undefined) {
    if (config.genesys) {
      step('no BYOI_DIRECTORY_SNAPSHOT: the directory sync is not run against real Genesys');
      return false;
    }
    const file = demoSnapshotFile(config);
    writeFileSync(file, JSON.stringify(contactCentreDirectory({ agents, source: config.directory.source })));
    snapshot = { kind: 'file', path: file };
  }
  const options = { source: config.directory.source, snapshot, taskQueue: config.taskQueue };
  await ensureDirectorySyncSchedule(client, { ...options, interval: config.directory.syncInterval });
  step(`directory sync scheduled every ${config.directory.syncInterval}; running it now`);
  const report = await runDirectorySync(client, options);
  for (const line of formatDirectoryReport(report).split('\n')) step(line);
  return report.failures.length === 0;
}

function demoSnapshotFile(config: BridgeConfig): string {
  return path.resolve(config.dataDir, 'demo-directory.json');
}

/** The ingress, in this process, on BYOI_INGRESS_PORT (or any free port if that one is taken). */
async function startDemoIngress(client: Client, config: BridgeConfig): Promise<Ingress & { token: string }> {
  // A token of this run only: the demo is the one sender.
  const token = randomBytes(24).toString('base64url');
  const options = {
    bridge: new BridgeClient(client, {
      taskQueue: config.taskQueue,
      agentSettings: { reorderWindowMs: config.ingress.reorderWindowMs },
      // A recording that never comes is given up on after 30 s here (2 hours by default).
      conversationSettings: { reorderWindowMs: config.ingress.reorderWindowMs, recordingWaitMs: 30_000 },
    }),
    temporal: client,
    sources: { [config.directory.source]: { tokens: [token] } },
    adapters: vendorAdapters(),
    host: config.ingress.host,
  };
  let ingress: Ingress;
  try {
    ingress = await startIngress({ ...options, port: config.ingress.port });
  } catch {
    ingress = await startIngress({ ...options, port: 0 });
  }
  step(`ingress at ${ingress.url} (POST /v1/events, /v1/adapters/${config.directory.source}/…)`);
  return { ...ingress, token };
}

/**
 * Plays the demo contact centre through the ingress, as an adapter would: three agents log in On Queue,
 * then an inbound call with a hold, a blind transfer to another agent and a recording, and an inbound
 * email answered and wrapped up, each agent Interacting from its offer to its wrap-up, posted as one
 * batch; prints the ingress's answer and how each interaction ended in Genesys.
 */
async function runThroughIngress(
  client: Client,
  config: BridgeConfig,
  ingress: Ingress & { token: string },
  uiUrl: string | undefined,
  agentStates: AgentStates,
) {
  const source = config.directory.source;
  const recording = path.resolve(config.dataDir, 'demo-call.wav');
  const wav = silentWav(5);
  writeFileSync(recording, wav);
  const { interactions, agentEvents } = demoInteractions(source, pathToFileURL(recording).href, wav.length);
  const batch = [
    ...agentEvents.map((event) => ({ kind: 'agent' as const, ...event })),
    ...interactions.flat().map((event) => ({ kind: 'conversation' as const, ...event })),
  ];
  for (const event of batch) agentStates.see(event);
  const post = () =>
    axios.post<{ accepted: number; duplicate: number; refused: number }>(`${ingress.url}/v1/events`, batch, {
      headers: { authorization: `Bearer ${ingress.token}` },
    });
  const answer = (await post()).data;
  step(
    `posted ${batch.length} events to the ingress: ${answer.accepted} accepted, ${answer.refused} refused`,
  );
  const again = (await post()).data;
  step(
    `posted the same batch again (a redelivery): ${again.accepted + again.duplicate} held by Temporal again; ` +
      'the workflows drop what they have seen, so nothing is injected twice',
  );
  for (const events of interactions) {
    const { interactionId, channel } = events[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    const outcome = await client.workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
    const legs = outcome.legs.map((leg) => (leg.role === 'agent' ? `agent ${leg.agentId}` : leg.role));
    step(
      `${channel} ${interactionId}: ${outcome.status} — Genesys conversation ${outcome.conversationId}, legs ${legs.join(', ')}; ` +
        `${outcome.counters.genesysEvents} Genesys events, ${outcome.counters.duplicates} redelivered events dropped${outcome.recording.uploaded ? `; recording uploaded (MD5 ${outcome.recording.uploaded.md5})` : ''}`,
    );
    if (uiUrl)
      step(`  ${uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`);
  }
}

/**
 * Plays the generated contact centre through the ingress for `--seconds`: the shift's opening (every agent
 * logs in On Queue), then its realistic load (calls and emails with their whole lifecycles, routed to
 * free agents on queue, and breaks between them; minutes played in seconds), showing progress every 5 s,
 * then reports: events by outcome, request latency, conversations by status, what Genesys saw and
 * whether it saw anything inconsistent. Answers the last events it sent, for the duplicate burst that
 * follows.
 */
async function playContactCentre(
  client: Client,
  config: BridgeConfig,
  ingress: Ingress & { token: string },
  flags: DemoFlags,
  simulatorUrl: string,
  agentStates: AgentStates,
): Promise<TimedEvent['event'][]> {
  const source = config.directory.source;
  const directory = contactCentreDirectory({ agents: flags.agents, source });
  const recording = path.resolve(config.dataDir, 'demo-call.wav');
  const genesysBefore = await simulatorCounters(simulatorUrl);
  const interactions = new Set<string>();
  const recent: TimedEvent['event'][] = [];
  const runId = `demo-${Date.now().toString(36)}`;
  const startedAt = Date.now();
  // Published and in flight are read from Genesys and Temporal every 5 s, off the driver's path.
  const runningQuery = `ByoiKind = 'conversation' AND ExecutionStatus = 'Running' AND ByoiSource = '${source}'`;
  const runningBefore = (await client.workflow.count(runningQuery)).count;
  const live = { published: 0, inFlight: 0 };
  const refresh = async () => {
    live.published = (await simulatorCounters(simulatorUrl)).eventsAccepted - genesysBefore.eventsAccepted;
    live.inFlight = (await client.workflow.count(runningQuery)).count - runningBefore;
  };
  let lastShown = 0;
  step(
    `playing ${flags.seconds} s of a ${flags.agents}-agent contact centre through the ingress (run ${runId}; ` +
      'progress: events sent, accepted by the bridge, Genesys events published, conversations in flight, driver lag)',
  );
  const shape: LoadShape = {
    ...seedScale,
    source,
    ...loadParties(directory),
    presenceChangesPerMinute: 6 * flags.agents,
    interactionsPerSecond: flags.agents / 40,
    timeScale: 0.1,
    recordingUrl: () => pathToFileURL(recording).href,
    recordingBytes: statSync(recording).size,
    runId,
    seed: Date.now() % 2 ** 31,
  };
  const openedAt = Math.max(Date.now(), agentStates.lastMs + 1);
  const stats = await driveLoad({
    ingressUrl: ingress.url,
    token: ingress.token,
    events: tap(
      (function* () {
        yield* shiftOpening(shape, openedAt);
        yield* contactCentreLoad(shape, openedAt, flags.seconds * 1_000);
      })(),
      (timed) => {
        agentStates.see(timed.event);
        if (timed.event.kind === 'conversation') interactions.add(timed.event.interactionId as string);
        recent.push(timed.event);
        if (recent.length > 100) recent.shift();
      },
    ),
    onProgress: (progress) => {
      if (Date.now() - lastShown < 5_000) return;
      lastShown = Date.now();
      step(
        `  ${Math.round((Date.now() - startedAt) / 1_000)} s: sent ${progress.sent}, accepted ${progress.accepted}, ` +
          `published ${live.published}, in flight ${live.inFlight}, lag ${progress.lagMs} ms` +
          (progress.refused + progress.resent > 0
            ? ` (refused ${progress.refused}, resent ${progress.resent})`
            : ''),
      );
      refresh().catch(() => undefined);
    },
  });
  step(
    `played: ${stats.sent} events sent, ${stats.accepted} accepted, ${stats.duplicate} duplicates, ${stats.refused} refused, ` +
      `${stats.resent} resent; ${stats.requests} requests, p50 ${percentile(stats.requestMs, 50)} ms, p99 ${percentile(stats.requestMs, 99)} ms`,
  );
  for (const refusal of stats.refusals.slice(0, 5)) step(`  refused ${refusal}`);
  // Every interaction of this run settles within seconds of its last event (wrap-ups and recordings included).
  const byStatus = new Map<string, number>();
  for (const interactionId of interactions) {
    const outcome = await client.workflow
      .getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
      .result();
    byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
  }
  step(`conversations: ${[...byStatus].map(([status, count]) => `${count} ${status}`).join(', ') || 'none'}`);
  const after = await simulatorCounters(simulatorUrl);
  const accepted = after.eventsAccepted - genesysBefore.eventsAccepted;
  const eventRequests = sumWhere(requestsBetween(genesysBefore, after), (endpoint) =>
    endpoint.includes('/api/v2/events/'),
  );
  step(
    `Genesys (simulator): ${accepted} events accepted in ${eventRequests} event requests (${(eventRequests / Math.max(1, accepted)).toFixed(2)} per event), ` +
      `${after.orderViolations - genesysBefore.orderViolations} order violations, ${after.duplicateEventIds - genesysBefore.duplicateEventIds} duplicate event ids, ` +
      `${after.rateLimited - genesysBefore.rateLimited} 429s, ${after.recordingsUploaded - genesysBefore.recordingsUploaded} recordings uploaded`,
  );
  const latency = await simulatorLatency(simulatorUrl, startedAt);
  step(
    `latency from the event to Genesys accepting it (p50/p99): ${Object.entries(latency.events)
      .map(([kind, summary]) => `${kind} ${summary.p50}/${summary.p99} ms`)
      .join(
        ', ',
      )}; recordings playable ${(latency.recordingPlayableAfterCallEnd.p50 / 1_000).toFixed(1)}/${(latency.recordingPlayableAfterCallEnd.p99 / 1_000).toFixed(1)} s after the call ended`,
  );
  await reportConsistency(simulatorUrl, 'after the load');
  return recent;
}

/** Prints what the simulator found inconsistent in the agents' states against their interactions. */
async function reportConsistency(simulatorUrl: string, when: string): Promise<void> {
  const lines = formatConsistency(await simulatorConsistency(simulatorUrl));
  step(`${lines[0]!} — ${when}`);
  for (const line of lines.slice(1)) step(line);
}

/** Passes every item of `items` to `see` on its way through. */
function* tap<T>(items: Iterable<T>, see: (item: T) => void): Generator<T> {
  for (const item of items) {
    see(item);
    yield item;
  }
}

function step(message: string): void {
  console.log(`[byoi-bridge] ${message}`);
}

async function ensureTemporal(config: BridgeConfig): Promise<DevServer | undefined> {
  const address = config.temporal.connectionOptions.address;
  try {
    const connection = await Connection.connect({
      ...config.temporal.connectionOptions,
      connectTimeout: 1_000,
    });
    await connection.close();
    step(`using the Temporal server already answering at ${address}`);
    return undefined;
  } catch {
    step(`starting the Temporal dev server on ${config.devServer.ip}:${config.devServer.port}`);
    const server = await startDevServer({
      ...config.devServer,
      logFile: path.join(config.dataDir, 'temporal-dev-server.log'),
    });
    step(`Temporal dev server ready (pid ${server.pid}); Web UI at ${server.uiUrl}`);
    return server;
  }
}

function startWorkerProcess(config: BridgeConfig, environment: NodeJS.ProcessEnv): ChildProcess {
  step(`starting a bridge worker on task queue ${config.taskQueue}`);
  return startProgram('workers/main.ts', [], {
    BYOI_LOG_LEVEL: process.env.BYOI_LOG_LEVEL ?? 'warn',
    ...environment,
  });
}

main().catch((error: unknown) => {
  console.error(`[byoi-bridge] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
