/**
 * The bridge's own programs as child processes for the main job and the benchmarks: the simulator, a
 * worker, the ingress, each Node itself with tsx's loader (so a signal and the CPU counters reach the
 * program, not a wrapper), plus a free loopback port, a graceful stop, polling, and what the main job and
 * the benchmarks read from the simulator's inspection API.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import axios from 'axios';
import type { LatencySummary } from '../../simulator/latency';
import { defaultSimulatorClient } from '../../simulator/seed';
import type { SimulatorCounters } from '../../simulator/state';
import { projectRoot } from './toolchain';

/** Runs `entry` (a .ts file under the project) as its own Node process; `nodeArgs` go to Node itself. */
export function startProgram(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions = ['ignore', 'inherit', 'inherit'],
  nodeArgs: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(projectRoot, entry), ...args], {
    cwd: projectRoot,
    stdio,
    env: { ...process.env, ...env },
  });
}

/** Stops `child` with SIGTERM (SIGKILL after 15 s) and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(forced);
}

/** A port on 127.0.0.1 nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The simulator as its own process (`simulator/main.ts` with `args`); resolves with its URL once it listens. */
export async function startSimulatorProcess(
  args: string[],
): Promise<{ url: string; process: ChildProcess; stop: () => Promise<void> }> {
  const child = startProgram('simulator/main.ts', ['--port', '0', ...args], {}, [
    'ignore',
    'pipe',
    'inherit',
  ]);
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve(entry.url);
      } catch {
        console.log(`[simulator] ${line}`);
      }
    });
  });
  return { url, process: child, stop: () => stopProcess(child) };
}

/** Resolves once `url` answers 200, polling every 200 ms; fails after `timeoutMs` or if `child` exits. */
export async function untilReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      await axios.get(url, { timeout: 1_000 });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Reads `read` every `intervalMs` until `done` holds or `timeoutMs` passes; answers the last reading. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A worker's Genesys settings for the simulator at `url` (its client secret is a fixture, not a secret). */
export function simulatorGenesysEnvironment(url: string): NodeJS.ProcessEnv {
  return {
    GENESYS_API_BASE_URL: url,
    GENESYS_CLIENT_ID: defaultSimulatorClient.clientId,
    GENESYS_CLIENT_SECRET: defaultSimulatorClient.clientSecret,
  };
}

/** The simulator's counters (`GET /__simulator/stats`). */
export async function simulatorCounters(url: string): Promise<SimulatorCounters> {
  return (await axios.get<SimulatorCounters>(`${url}/__simulator/stats`)).data;
}

/** Acceptance latencies since `since` (ms), as `GET /__simulator/latency` answers them. */
export interface SimulatorLatency {
  events: { presence: LatencySummary; routingStatus: LatencySummary; conversation: LatencySummary };
  recordingPlayableAfterCallEnd: LatencySummary;
  /** By the half minute the events occurred in (from `since`): presence and routing together, conversations. */
  timeline: { fromSeconds: number; agent: LatencySummary; conversation: LatencySummary }[];
}

export async function simulatorLatency(url: string, since: number): Promise<SimulatorLatency> {
  return (await axios.get<SimulatorLatency>(`${url}/__simulator/latency`, { params: { since } })).data;
}

/** API requests per endpoint between two readings of the simulator's counters. */
export function requestsBetween(before: SimulatorCounters, after: SimulatorCounters): Record<string, number> {
  const requests: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(after.requestsByEndpoint)) {
    const added = count - (before.requestsByEndpoint[endpoint] ?? 0);
    if (added > 0 && !endpoint.includes('/__simulator')) requests[endpoint] = added;
  }
  return requests;
}

/** The requests of `requests` whose endpoint matches. */
export function sumWhere(requests: Record<string, number>, match: (endpoint: string) => boolean): number {
  return Object.entries(requests)
    .filter(([endpoint]) => match(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);
}
