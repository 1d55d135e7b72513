/**
 * The main job's embedded stack: Temporal (the one that answers, or the dev server), Genesys (the one
 * configured, or the simulator), a bridge worker as its own process, the ingress in this process, the
 * self-check that proves the path, and the directory sync.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { vendorAdapters } from '../../client/ingress/adapters';
import { startIngress, type Ingress } from '../../client/ingress/ingress';
import { BridgeClient, bridgeClientOptionsFrom } from '../../client/library/bridge-client';
import {
  ensureDirectorySyncSchedule,
  formatDirectoryReport,
  runDirectorySync,
} from '../../client/library/directory-sync';
import type { BridgeConfig } from '../../config';
import { createSimulator, defaultSeed } from '../../simulator';
import { selfCheckWorkflow } from '../../workflows';
import { contactCentreDirectory } from '../load/contact-centre';
import { startDevServer, type DevServer } from '../stack/dev-server';
import { simulatorGenesysEnvironment, startProgram } from '../stack/stack';
import type { RunLog } from './run-log';
import { step } from './step';

/** The demo's ingress and the token of its one sender. */
export type DemoIngress = Ingress & { token: string };

/** The Genesys the demo reaches: the simulator's URL when it started one, and what the worker needs. */
export interface DemoGenesys {
  simulatorUrl: string | undefined;
  workerEnvironment: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
}

/** The Temporal server that answers at the configured address, or the embedded dev server started here. */
export async function ensureTemporal(
  config: BridgeConfig,
  runLog: RunLog,
  codecEndpoint?: string,
): Promise<DevServer | undefined> {
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
    const server = await startDevServer({ ...config.devServer, logFile: runLog.file, codecEndpoint });
    step(`Temporal dev server ready (pid ${server.pid}); Web UI at ${server.uiUrl}`);
    return server;
  }
}

/** Starts a bridge worker as its own process, as in production, its output into the run log; a crash shows the log's end. */
export function startWorkerProcess(
  config: BridgeConfig,
  environment: NodeJS.ProcessEnv,
  runLog: RunLog,
): ChildProcess {
  const log = runLog.forChild();
  step(`starting a bridge worker on task queue ${config.taskQueue}`);
  try {
    const worker = startProgram(
      'workers/main.ts',
      [],
      { BYOI_LOG_LEVEL: process.env.BYOI_LOG_LEVEL ?? 'info', ...environment },
      ['ignore', log, log],
    );
    // Stopped, it exits 0 (or by the signal that stopped it); anything else is a crash worth showing.
    worker.once('exit', (code) => {
      if (code !== null && code !== 0) {
        step(`the worker exited with ${code}; the end of ${runLog.file}:\n${runLog.tail()}`);
      }
    });
    return worker;
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

/**
 * The configured Genesys, or else the simulator, started here with no agents: the directory sync creates
 * them. With `generatedDirectory` (`--traffic`), the configured Genesys gets the generated contact
 * centre's directory as the simulator does, and the worker maps through it.
 */
export async function startGenesys(
  config: BridgeConfig,
  options: { generatedDirectory: boolean } = { generatedDirectory: false },
): Promise<DemoGenesys> {
  if (config.genesys) {
    step(`using Genesys at ${config.genesys.hosts.apiBaseUrl}`);
    return {
      simulatorUrl: undefined,
      workerEnvironment: options.generatedDirectory
        ? { BYOI_DIRECTORY_SNAPSHOT: demoSnapshotFile(config) }
        : {},
      stop: () => Promise.resolve(),
    };
  }
  const simulator = await createSimulator({ port: config.simulator.port, organization: defaultSeed() });
  step(`Genesys simulator at ${simulator.url} (inspection: ${simulator.url}/__simulator/stats)`);
  return {
    simulatorUrl: simulator.url,
    workerEnvironment: {
      // The worker maps the demo contact centre's queue and wrap-up code ids through its snapshot.
      ...(config.directory.snapshot ? {} : { BYOI_DIRECTORY_SNAPSHOT: demoSnapshotFile(config) }),
      ...simulatorGenesysEnvironment(simulator.url),
    },
    stop: () => simulator.stop(),
  };
}

/** Runs the self-check workflow through the task queue and prints what the worker found of Genesys. */
export async function proveThePath(
  client: Client,
  config: BridgeConfig,
  uiUrl: string | undefined,
): Promise<void> {
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
}

/**
 * Schedules the directory sync and runs it once now: against the simulator with a generated contact
 * centre, against real Genesys only with the operator's own snapshot (BYOI_DIRECTORY_SNAPSHOT) or, with
 * `generatedDirectory` (`--traffic`), with the generated one.
 */
export async function syncDirectory(
  client: Client,
  config: BridgeConfig,
  agents: number,
  options: { generatedDirectory: boolean } = { generatedDirectory: false },
): Promise<boolean> {
  let snapshot = config.directory.snapshot;
  if (snapshot === undefined) {
    if (config.genesys && !options.generatedDirectory) {
      step('no BYOI_DIRECTORY_SNAPSHOT: the directory sync is not run against real Genesys');
      return false;
    }
    if (config.genesys) {
      step(
        `--traffic: syncing the generated ${agents}-agent directory into ${config.genesys.hosts.apiBaseUrl} as source ` +
          `${config.directory.source} (it creates agent-N users; users of that source not in it are deactivated)`,
      );
    }
    const file = demoSnapshotFile(config);
    writeFileSync(file, JSON.stringify(contactCentreDirectory({ agents, source: config.directory.source })));
    snapshot = { kind: 'file', path: file };
  }
  const sync = { source: config.directory.source, snapshot, taskQueue: config.taskQueue };
  await ensureDirectorySyncSchedule(client, { ...sync, interval: config.directory.syncInterval });
  step(`directory sync scheduled every ${config.directory.syncInterval}; running it now`);
  const report = await runDirectorySync(client, sync);
  for (const line of formatDirectoryReport(report).split('\n')) step(line);
  return report.failures.length === 0;
}

/** Where the demo writes its generated directory snapshot. */
export function demoSnapshotFile(config: BridgeConfig): string {
  return path.resolve(config.dataDir, 'demo-directory.json');
}

/** The ingress, in this process, on BYOI_INGRESS_PORT (or any free port if that one is taken). */
export async function startDemoIngress(
  client: Client,
  config: BridgeConfig,
  runLog: RunLog,
): Promise<DemoIngress> {
  // A token of this run only: the demo is the one sender.
  const token = randomBytes(24).toString('base64url');
  const configured = bridgeClientOptionsFrom(config);
  const options = {
    bridge: new BridgeClient(client, {
      ...configured,
      // A recording that never comes is given up on after 30 s here (2 hours by default).
      conversationSettings: { ...configured.conversationSettings, recordingWaitMs: 30_000 },
    }),
    temporal: client,
    sources: { [config.directory.source]: { tokens: [token] } },
    adapters: vendorAdapters(),
    host: config.ingress.host,
    onError: (error: Error, request: object) =>
      runLog.logger.error({ err: error, ...request }, 'ingress request failed'),
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
