/**
 * The bridge under test, every part its own process: the Temporal dev server, a worker (its metrics on
 * a port of their own, a CPU profile on `--profile`) and the ingress, started and proved ready.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { codecKeysFrom, newKeyEntry } from '../../config/codec-keys';
import { bridgeDataConverter } from '../../config/data-converter';
import { selfCheckWorkflow } from '../../workflows';
import { startDevServer, type DevServer } from '../stack/dev-server';
import { freePort, simulatorGenesysEnvironment, startProgram, untilReady } from '../stack/stack';
import { log } from './log';
import { benchSource, benchTaskQueue, type BenchFlags } from './options';

/** The bridge's running processes and how to reach them. */
export interface BridgeProcesses {
  /** The worker's Prometheus metrics. */
  metricsUrl: string;
  /** The ingress's (its process's memory). */
  ingressMetricsUrl: string;
  server: DevServer;
  worker: ChildProcess;
  ingress: ChildProcess;
  ingressUrl: string;
  token: string;
  /** How the bench's own clients read the bridge's payloads (sealed with `--codec`). */
  dataConverter: DataConverter;
}

/** Starts the dev server, the worker and the ingress against the simulator at `simulatorUrl`. */
export async function startBridge(
  flags: BenchFlags,
  dataDir: string,
  simulatorUrl: string,
): Promise<BridgeProcesses> {
  const temporalPort = await freePort();
  const server = await startDevServer({
    ip: '127.0.0.1',
    port: temporalPort,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    logFile: path.join(dataDir, 'temporal.log'),
  });
  log(`Temporal dev server on ${server.address} (pid ${server.pid}, headless)`);
  // With --codec every process seals with a key of this run, kept in a file as an operator keeps it.
  const keyFile = path.join(dataDir, 'codec.keys');
  if (flags.codec) writeFileSync(keyFile, `${newKeyEntry()}\n`, { mode: 0o600 });
  const codecKeys = flags.codec ? codecKeysFrom({ keys: undefined, keyFile }, []) : undefined;
  const dataConverter = bridgeDataConverter(codecKeys);
  const common = {
    ...(flags.codec ? { BYOI_CODEC_KEY_FILE: keyFile } : {}),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    BYOI_TASK_QUEUE: benchTaskQueue,
    // Retried failures are counted by the report; the log keeps to errors.
    BYOI_LOG_LEVEL: 'error',
    BYOI_DATA_DIR: dataDir,
  };
  const metricsPort = await freePort();
  const worker = startProgram(
    'workers/main.ts',
    [],
    {
      ...common,
      ...simulatorGenesysEnvironment(simulatorUrl),
      GENESYS_REQUESTS_PER_MINUTE: String(flags.requestsPerMinute),
      BYOI_RECORDING_SPOOL_DIR: path.join(dataDir, 'spool'),
      BYOI_PUBLISH_INTERVAL_MS: String(flags.publishIntervalMs),
      BYOI_MAX_CACHED_WORKFLOWS: String(flags.maxCachedWorkflows),
      BYOI_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
    undefined,
    // Room for every cached workflow; the CPU profile is written when the worker exits.
    [
      '--max-old-space-size=6144',
      ...(flags.profile
        ? ['--cpu-prof', '--cpu-prof-interval=5000', `--cpu-prof-dir=${path.join(dataDir, 'profile')}`]
        : []),
    ],
  );
  const token = randomBytes(24).toString('base64url');
  const ingressPort = await freePort();
  const ingressMetricsPort = await freePort();
  const ingress = startProgram('client/ingress/main.ts', [], {
    ...common,
    BYOI_INGRESS_PORT: String(ingressPort),
    BYOI_INGRESS_METRICS_ADDRESS: `127.0.0.1:${ingressMetricsPort}`,
    BYOI_INGRESS_TOKENS: `${benchSource}:${token}`,
    BYOI_REORDER_WINDOW_MS: String(flags.reorderWindowMs),
    BYOI_AGENT_HISTORY_EVENTS: String(flags.agentHistoryEvents),
  });
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  await untilReady(`${ingressUrl}/readyz`, ingress);
  // A round trip through the task queue proves the worker polls before the load starts.
  const connection = await Connection.connect({ address: server.address });
  try {
    await Promise.race([
      new Client({ connection, dataConverter }).workflow.execute(selfCheckWorkflow, {
        taskQueue: benchTaskQueue,
        workflowId: 'bench-self-check',
        workflowExecutionTimeout: '2 minutes',
      }),
      new Promise((_, reject) =>
        worker.once('exit', (code) => reject(new Error(`the worker exited with ${code}`))),
      ),
    ]);
  } finally {
    await connection.close();
  }
  log(`worker (pid ${worker.pid}) and ingress (pid ${ingress.pid}, ${ingressUrl}) ready`);
  return {
    server,
    worker,
    ingress,
    ingressUrl,
    token,
    dataConverter,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    ingressMetricsUrl: `http://127.0.0.1:${ingressMetricsPort}/metrics`,
  };
}
