/**
 * The embedded Temporal: `temporal server start-dev` on loopback with the Web UI, a SQLite file so
 * workflows survive a restart, and the bridge's search attributes registered. Used by the demo, the
 * tests that restart a server, and anyone running the bridge locally (`npm run dev-server`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { byoiSearchAttributes, searchAttributeTypeName } from '../../workflows/search-attributes';
import { temporalCliPath } from './toolchain';

/** How to run the dev server. */
export interface DevServerOptions {
  ip: string;
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  /** The codec server the Web UI decodes sealed payloads through (`npm run codec-server`). */
  codecEndpoint?: string;
  /** SQLite file that keeps workflows across restarts. */
  dbFile: string;
  /** File that receives the server's own output. */
  logFile: string;
  /** How long to wait for the frontend to answer. */
  startTimeoutMs?: number;
}

/** A running dev server. */
export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number;
  /** Stops the server gracefully (SIGTERM, then SIGKILL after 15 s) and waits for it to exit. */
  stop(): Promise<void>;
}

// Throughput settings the SDK's own CI uses for the SQLite store.
const sqlitePragmas = ['journal_mode=WAL', 'synchronous=OFF'];

/** The command line for `temporal server start-dev` with the bridge's settings. */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip, '--port', String(options.port)];
  args.push('--db-filename', options.dbFile, '--log-level', 'warn');
  for (const pragma of sqlitePragmas) args.push('--sqlite-pragma', pragma);
  for (const key of byoiSearchAttributes)
    args.push('--search-attribute', `${key.name}=${searchAttributeTypeName(key)}`);
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.uiPort !== undefined && options.codecEndpoint)
    args.push('--ui-codec-endpoint', options.codecEndpoint);
  return args;
}

/** Starts the dev server and resolves once its frontend answers gRPC calls. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `${options.ip}:${options.port}`;
  for (const port of [options.port, options.uiPort]) {
    if (port !== undefined && (await portInUse(options.ip, port))) {
      throw new Error(`port ${port} on ${options.ip} is already in use: is another Temporal server running?`);
    }
  }
  mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });
  mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(temporalCliPath(), devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  try {
    await waitUntilServing(address, child, exited, options);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://${options.ip}:${options.uiPort}`,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
      log.end();
    },
  };
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  options: DevServerOptions,
): Promise<void> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined || child.signalCode !== null) {
      throw new Error(
        `temporal server start-dev exited (${exitCode ?? child.signalCode}):\n${logTail(options.logFile)}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(
    `temporal server start-dev did not answer on ${address} in time:\n${logTail(options.logFile)}`,
  );
}

/** The last 20 lines of a log file, for an error message. */
export function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(nothing logged)';
  }
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
