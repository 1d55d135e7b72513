/**
 * The bridge's own entry points as child processes, pointed at the shared dev server: a worker that a
 * test can SIGKILL and restart, and the operator CLI.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { simulatorGenesysEnvironment } from '../tools/stack/stack';
import { projectRoot } from '../tools/stack/toolchain';
import type { TestSimulator } from './genesys-fixtures';
import { localEnvironment } from './harness';

/**
 * A bridge worker as its own process serving `taskQueue`, talking to `sim`; `env` adds settings; with
 * `stdout: 'pipe'` the test reads its log.
 */
export function workerProcess(
  sim: TestSimulator,
  taskQueue: string,
  env: Record<string, string> = {},
  stdout: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  return bridgeProcess(
    join('workers', 'main.ts'),
    taskQueue,
    {
      ...simulatorGenesysEnvironment(sim.simulator.url),
      GENESYS_REQUESTS_PER_MINUTE: '1000000',
      ...env,
    },
    stdout,
  );
}

/** Runs the operator CLI as its own process against the shared dev server; resolves with its output. */
export async function cliOutput(args: string[], taskQueue: string): Promise<string> {
  const { code, output, errors } = await cliRun(args, taskQueue);
  assert.equal(code, 0, `the CLI failed: ${output}${errors}`);
  return output;
}

/** Runs the operator CLI as {@link cliOutput} does; resolves with its exit code, its output and its errors. */
export async function cliRun(
  args: string[],
  taskQueue: string,
): Promise<{ code: number | null; output: string; errors: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'client', 'cli.ts'), ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inheritedEnvironment(),
      TEMPORAL_ADDRESS: localEnvironment().address,
      BYOI_TASK_QUEUE: taskQueue,
    },
  });
  let output = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await exited(child);
  return { code: child.exitCode, output, errors };
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** This process's environment without settings that would point a child elsewhere. */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('GENESYS_') && !name.startsWith('TEMPORAL_'),
    ),
  );
}

/**
 * The ingress as its own process serving `taskQueue` of the shared dev server on `port`, taking `source`'s
 * events with `token`; `env` adds settings.
 */
export function ingressProcess(
  taskQueue: string,
  { port, source, token }: { port: number; source: string; token: string },
  env: Record<string, string> = {},
): ChildProcess {
  return bridgeProcess(join('client', 'ingress', 'main.ts'), taskQueue, {
    BYOI_INGRESS_PORT: String(port),
    BYOI_INGRESS_TOKENS: `${source}:${token}`,
    ...env,
  });
}

/** One of the bridge's entry points as its own process, on `taskQueue` of the shared dev server. */
function bridgeProcess(
  entry: string,
  taskQueue: string,
  env: Record<string, string>,
  stdout: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  // Node itself with tsx's loader, not the tsx wrapper: a SIGKILL must hit the process, not a parent of it.
  return spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], {
    cwd: projectRoot,
    stdio: ['ignore', stdout, 'inherit'],
    env: {
      ...inheritedEnvironment(),
      TEMPORAL_ADDRESS: localEnvironment().address,
      TEMPORAL_NAMESPACE: 'default',
      BYOI_TASK_QUEUE: taskQueue,
      BYOI_LOG_LEVEL: 'warn',
      ...env,
    },
  });
}
