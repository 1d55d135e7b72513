/**
 * The bridge's own programs as child processes for the main job and the benchmarks: the simulator, a
 * worker, the ingress, each Node itself with tsx's loader (so a signal and the CPU counters reach the
 * program, not a wrapper), plus a free loopback port and a graceful stop.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import axios from 'axios';
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
