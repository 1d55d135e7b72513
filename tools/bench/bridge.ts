/**
 * The bridge under test, every part its own process: its workers (each its metrics on a port of its own,
 * the first a CPU profile on `--profile`) and its ingress replicas, started on the run's Temporal and
 * proved ready.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import { codecKeysFrom, newKeyEntry } from '../../config/codec-keys';
import { bridgeDataConverter } from '../../config/data-converter';
import { selfCheckWorkflow } from '../../workflows';
import { freePort, simulatorGenesysEnvironment, startProgram, stopProcess, untilReady } from '../stack/stack';
import { log } from './log';
import { benchSource, benchTaskQueue, type BenchFlags } from './options';
import { withTemporalClient, type BenchTemporal } from './temporal';

/** The bridge's running processes and how to reach them. */
export interface BridgeProcesses {
  temporal: BenchTemporal;
  /** The worker processes, and each one's Prometheus metrics. */
  workers: ChildProcess[];
  metricsUrls: string[];
  /** The ingress replicas, where each answers, and each one's metrics (its process's memory). */
  ingresses: ChildProcess[];
  ingressUrls: string[];
  ingressMetricsUrls: string[];
  token: string;
  /** How the bench's own clients read the bridge's payloads (sealed with `--codec`). */
  dataConverter: DataConverter;
}

/**
 * Starts `--workers` workers and `--ingresses` ingress replicas on `temporal`, against the simulator at
 * `simulatorUrl`. The workers share the Genesys client's budget, each drawing its equal share.
 */
export async function startBridge(
  flags: BenchFlags,
  dataDir: string,
  simulatorUrl: string,
  temporal: BenchTemporal,
): Promise<BridgeProcesses> {
  // With --codec every process seals with a key of this run, kept in a file as an operator keeps it.
  const keyFile = path.join(dataDir, 'codec.keys');
  if (flags.codec) writeFileSync(keyFile, `${newKeyEntry()}\n`, { mode: 0o600 });
  const codecKeys = flags.codec ? codecKeysFrom({ keys: undefined, keyFile }, []) : undefined;
  const dataConverter = bridgeDataConverter(codecKeys);
  const common = {
    ...(flags.codec ? { BYOI_CODEC_KEY_FILE: keyFile } : {}),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    BYOI_TASK_QUEUE: benchTaskQueue,
    // Retried failures are counted by the report; the log keeps to errors.
    BYOI_LOG_LEVEL: 'error',
    BYOI_DATA_DIR: dataDir,
  };
  const workers: ChildProcess[] = [];
  const metricsUrls: string[] = [];
  for (let index = 0; index < flags.workers; index++) {
    const metricsPort = await freePort();
    metricsUrls.push(`http://127.0.0.1:${metricsPort}/metrics`);
    workers.push(
      startProgram(
        'workers/main.ts',
        [],
        {
          ...common,
          ...simulatorGenesysEnvironment(simulatorUrl),
          GENESYS_REQUESTS_PER_MINUTE: String(flags.requestsPerMinute),
          GENESYS_BUDGET_SHARED_BY: String(flags.workers),
          BYOI_RECORDING_SPOOL_DIR: path.join(dataDir, `spool-${index + 1}`),
          BYOI_PUBLISH_INTERVAL_MS: String(flags.publishIntervalMs),
          BYOI_MAX_CACHED_WORKFLOWS: String(flags.maxCachedWorkflows),
          BYOI_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
        },
        undefined,
        // Room for every cached workflow; the first worker's CPU profile is written when it exits.
        [
          '--max-old-space-size=6144',
          ...(flags.profile && index === 0
            ? ['--cpu-prof', '--cpu-prof-interval=5000', `--cpu-prof-dir=${path.join(dataDir, 'profile')}`]
            : []),
        ],
      ),
    );
  }
  const token = randomBytes(24).toString('base64url');
  const ingresses: ChildProcess[] = [];
  const ingressUrls: string[] = [];
  const ingressMetricsUrls: string[] = [];
  for (let index = 0; index < flags.ingresses; index++) {
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
    ingresses.push(ingress);
    ingressUrls.push(`http://127.0.0.1:${ingressPort}`);
    ingressMetricsUrls.push(`http://127.0.0.1:${ingressMetricsPort}/metrics`);
    await untilReady(`${ingressUrls[index]}/readyz`, ingress);
  }
  // Every worker serves its metrics once it runs; a round trip through the task queue proves they poll.
  for (const [index, worker] of workers.entries()) await untilReady(metricsUrls[index]!, worker);
  await withTemporalClient(
    temporal,
    (client) =>
      Promise.race([
        client.workflow.execute(selfCheckWorkflow, {
          taskQueue: benchTaskQueue,
          workflowId: 'bench-self-check',
          workflowExecutionTimeout: '2 minutes',
        }),
        ...workers.map(
          (worker) =>
            new Promise((_, reject) =>
              worker.once('exit', (code) => reject(new Error(`a worker exited with ${code}`))),
            ),
        ),
      ]),
    dataConverter,
  );
  log(
    `${workers.length} worker(s) (pid ${workers.map((worker) => worker.pid).join(', ')}) and ${ingresses.length} ` +
      `ingress replica(s) (${ingressUrls.join(', ')}) ready`,
  );
  return { temporal, workers, metricsUrls, ingresses, ingressUrls, ingressMetricsUrls, token, dataConverter };
}

/** One of the bridge's processes, by the name reports give it, with its metrics when it serves them. */
export interface NamedProcess {
  name: string;
  pid: number;
  metricsUrl?: string;
}

/**
 * The bridge's processes by name: `worker` and `ingress` when there is one of each, `worker-1`,
 * `worker-2`, … when there are several; then its Temporal's (`temporal`, and on the cluster `postgres`).
 */
export function namedProcesses(bridge: BridgeProcesses): NamedProcess[] {
  const named = (kind: string, children: readonly ChildProcess[], metricsUrls: readonly string[]) =>
    children.map((child, index) => ({
      name: children.length === 1 ? kind : `${kind}-${index + 1}`,
      pid: child.pid!,
      metricsUrl: metricsUrls[index],
    }));
  return [
    ...named('worker', bridge.workers, bridge.metricsUrls),
    ...named('ingress', bridge.ingresses, bridge.ingressMetricsUrls),
    ...Object.entries(bridge.temporal.processes).map(([name, pid]) => ({ name, pid })),
  ];
}

/** Stops the bridge's workers and ingresses (its Temporal is the caller's to stop). */
export async function stopBridge(bridge: BridgeProcesses): Promise<void> {
  await Promise.all([...bridge.workers, ...bridge.ingresses].map((child) => stopProcess(child)));
}
