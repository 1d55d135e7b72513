/**
 * The chaos run's stack, every part its own process so each can be killed: the Temporal dev server (a
 * SQLite file, so a restart keeps the workflows), the Genesys simulator, N bridge workers and the ingress
 * (on a fixed port, so a restarted one is found where the old one was).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { selfCheckWorkflow } from '../../workflows';
import { startDevServer, type DevServer, type DevServerOptions } from '../stack/dev-server';
import {
  freePort,
  simulatorGenesysEnvironment,
  startProgram,
  startSimulatorProcess,
  stopProcess,
  untilReady,
} from '../stack/stack';
import { benchSource } from '../bench/options';
import { log } from './log';

/** The task queue of the chaos run's workers. */
export const chaosTaskQueue = 'byoi-chaos';

/** What the stack is started with. */
export interface ChaosStackOptions {
  dataDir: string;
  agents: number;
  workers: number;
  requestsPerMinute: number;
  agentHistoryEvents: number;
}

/** The running stack and how to kill and restart each part. */
export class ChaosStack {
  readonly workers: (ChildProcess | undefined)[] = [];
  ingress: ChildProcess | undefined;
  readonly token = randomBytes(24).toString('base64url');
  private stopSimulator: () => Promise<void> = async () => {};

  private constructor(
    private readonly options: ChaosStackOptions,
    private readonly serverOptions: DevServerOptions,
    public server: DevServer,
    public readonly simulatorUrl: string,
    public readonly ingressUrl: string,
  ) {}

  /** Starts every part and proves a worker polls. */
  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const simulator = await startSimulatorProcess([
      '--agents',
      String(options.agents),
      '--source-name',
      benchSource,
      '--requests-per-minute',
      String(options.requestsPerMinute),
      '--upload-dir',
      path.join(options.dataDir, 'uploads'),
    ]);
    const serverOptions: DevServerOptions = {
      ip: '127.0.0.1',
      port: await freePort(),
      dbFile: path.join(options.dataDir, 'temporal.sqlite'),
      logFile: path.join(options.dataDir, 'temporal.log'),
    };
    const server = await startDevServer(serverOptions);
    const stack = new ChaosStack(
      options,
      serverOptions,
      server,
      simulator.url,
      `http://127.0.0.1:${await freePort()}`,
    );
    stack.stopSimulator = simulator.stop;
    log(`simulator at ${simulator.url}, Temporal at ${server.address}`);
    for (let index = 0; index < options.workers; index++) stack.startWorker(index);
    await stack.startIngress();
    await stack.selfCheck();
    return stack;
  }

  /** Starts (or restarts) worker `index`. */
  startWorker(index: number): void {
    this.workers[index] = startProgram(
      'workers/main.ts',
      [],
      {
        ...this.common(),
        ...simulatorGenesysEnvironment(this.simulatorUrl),
        GENESYS_REQUESTS_PER_MINUTE: String(this.options.requestsPerMinute),
        // The workers share the OAuth client's budget, as a deployment's do (docs/deployment.md).
        GENESYS_BUDGET_SHARED_BY: String(this.options.workers),
        BYOI_RECORDING_SPOOL_DIR: path.join(this.options.dataDir, `spool-${index}`),
        // As the bench's worker: room for every agent and live conversation in the cache.
        BYOI_PUBLISH_INTERVAL_MS: '400',
        BYOI_MAX_CACHED_WORKFLOWS: '10000',
      },
      ['ignore', 'ignore', 'inherit'],
      ['--max-old-space-size=3072'],
    );
  }

  /** SIGKILLs worker `index`: no drain, its activities are lost mid-flight. */
  killWorker(index: number): void {
    this.workers[index]?.kill('SIGKILL');
  }

  /** Starts (or restarts) the ingress on its port and waits until it is ready. */
  async startIngress(): Promise<void> {
    const port = new URL(this.ingressUrl).port;
    this.ingress = startProgram('client/ingress/main.ts', [], {
      ...this.common(),
      BYOI_INGRESS_PORT: port,
      BYOI_INGRESS_TOKENS: `${benchSource}:${this.token}`,
      BYOI_AGENT_HISTORY_EVENTS: String(this.options.agentHistoryEvents),
    });
    await untilReady(`${this.ingressUrl}/readyz`, this.ingress);
  }

  /** SIGKILLs the ingress: what it had taken but not answered is the driver's to resend. */
  killIngress(): void {
    this.ingress?.kill('SIGKILL');
  }

  /** Stops the dev server (SIGTERM); `startServer` brings it back on the same port and SQLite file. */
  async stopServer(): Promise<void> {
    await this.server.stop();
  }

  /** Starts the dev server again where it was. */
  async startServer(): Promise<void> {
    this.server = await startDevServer(this.serverOptions);
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    for (const worker of this.workers) if (worker) await stopProcess(worker);
    if (this.ingress) await stopProcess(this.ingress);
    await this.server.stop();
    await this.stopSimulator();
  }

  private common(): NodeJS.ProcessEnv {
    return {
      TEMPORAL_ADDRESS: this.server.address,
      TEMPORAL_NAMESPACE: 'default',
      BYOI_TASK_QUEUE: chaosTaskQueue,
      BYOI_LOG_LEVEL: 'error',
      BYOI_DATA_DIR: this.options.dataDir,
    };
  }

  /** A round trip through the task queue: a worker polls. */
  private async selfCheck(): Promise<void> {
    const connection = await Connection.connect({ address: this.server.address });
    try {
      await new Client({ connection }).workflow.execute(selfCheckWorkflow, {
        taskQueue: chaosTaskQueue,
        workflowId: 'chaos-self-check',
        workflowExecutionTimeout: '2 minutes',
      });
    } finally {
      await connection.close();
    }
  }
}
