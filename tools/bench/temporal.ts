/**
 * The bench's Temporal: a dev server of the run's own (one history shard, SQLite), or with `--cluster` the
 * real server `npm run cluster -- up` runs on PostgreSQL (docs/cluster.md), in a namespace of the run's own
 * with the bridge's search attributes, deleted after the run. Also how the bench's own clients reach it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { startDevServer } from '../stack/dev-server';
import { freePort } from '../stack/stack';
import { projectRoot, temporalCliPath } from '../stack/toolchain';
import { log } from './log';

const run = promisify(execFile);

/** Where the bench's clients find the bridge's workflows. */
export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** The Temporal a run uses. */
export interface BenchTemporal extends TemporalTarget {
  /** What it is, for the log and the report. */
  description: string;
  /** Its processes by name, for the CPU sampler (each read with its children). */
  processes: Record<string, number>;
  /** Stops the dev server, or deletes the run's namespace on the cluster (the cluster keeps running). */
  stop(): Promise<void>;
}

const clusterSchema = z.object({
  address: z.string(),
  serverPid: z.number().int().positive(),
  postgresPid: z.number().int().positive(),
  shards: z.number().int().positive(),
  version: z.string(),
});

/** Starts the run's dev server, or (`cluster`) makes the run's namespace on the running cluster. */
export async function startBenchTemporal(
  cluster: boolean,
  dataDir: string,
  runId: string,
): Promise<BenchTemporal> {
  if (!cluster) {
    const server = await startDevServer({
      ip: '127.0.0.1',
      port: await freePort(),
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      logFile: path.join(dataDir, 'temporal.log'),
    });
    const description = `the Temporal dev server (1 history shard, SQLite) on ${server.address}, pid ${server.pid}`;
    log(description);
    return {
      address: server.address,
      namespace: 'default',
      description,
      processes: { temporal: server.pid },
      stop: () => server.stop(),
    };
  }
  const described = await clusterScript('describe').catch((error: unknown) => {
    throw new Error(`--cluster needs the cluster running (npm run cluster -- up): ${String(error)}`);
  });
  const found = clusterSchema.parse(JSON.parse(described));
  const namespace = `bench-${runId}`;
  await clusterScript('namespace', namespace, '24h');
  const description =
    `the Temporal server ${found.version} on PostgreSQL (${found.shards} history shards) on ${found.address}, ` +
    `namespace ${namespace}; server pid ${found.serverPid}, PostgreSQL pid ${found.postgresPid}`;
  log(description);
  return {
    address: found.address,
    namespace,
    description,
    processes: { temporal: found.serverPid, postgres: found.postgresPid },
    stop: async () => {
      // The server deletes the namespace's workflows in the background.
      await run(temporalCliPath(), [
        'operator',
        'namespace',
        'delete',
        '--namespace',
        namespace,
        '--yes',
        '--address',
        found.address,
      ]);
    },
  };
}

async function clusterScript(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [path.join(projectRoot, 'scripts', 'cluster.sh'), ...args], {
    cwd: projectRoot,
  });
  return stdout;
}

/** Runs `use` with a client of `target`'s namespace; the connection closes after. */
export async function withTemporalClient<T>(
  target: TemporalTarget,
  use: (client: Client) => Promise<T>,
  dataConverter?: DataConverter,
): Promise<T> {
  const connection = await Connection.connect({ address: target.address });
  try {
    return await use(new Client({ connection, namespace: target.namespace, dataConverter }));
  } finally {
    await connection.close();
  }
}
