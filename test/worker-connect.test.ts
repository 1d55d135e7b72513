/**
 * A worker started while Temporal is down (a server restarting under it, as in the chaos run) waits for it
 * instead of exiting; and gives up, naming the error, once its wait is over.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TransportError } from '@temporalio/worker';
import { freePort, startProgram, stopProcess } from '../tools/stack/stack';
import { startDevServer, type DevServer } from '../tools/stack/dev-server';
import { selfCheckWorkflow } from '../workflows';
import { connectWhenReachable } from '../workers/connect';

describe('a worker and a Temporal server that is not up', function () {
  this.timeout(120_000);

  it('retries with a growing backoff while nothing listens, then throws the transport error', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const retries: { attempt: number; retryInMs: number }[] = [];
    const started = Date.now();
    await assert.rejects(
      connectWhenReachable(
        { address },
        { waitMs: 2_000, onRetry: (_error, attempt, retryInMs) => retries.push({ attempt, retryInMs }) },
      ),
      (error: unknown) => error instanceof TransportError,
    );
    assert.ok(Date.now() - started < 10_000, 'gave up once its wait was over, not later');
    assert.deepEqual(
      retries.map((retry) => retry.retryInMs),
      [200, 400, 800].slice(0, retries.length),
    );
    assert.ok(retries.length >= 2, `retried ${retries.length} times`);
  });

  it('a worker process started before its server serves the task queue once the server comes up', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-worker-connect-'));
    const port = await freePort();
    const taskQueue = 'byoi-worker-connect';
    const worker = startProgram(
      'workers/main.ts',
      [],
      {
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: 'default',
        BYOI_TASK_QUEUE: taskQueue,
        BYOI_LOG_LEVEL: 'error',
        BYOI_DATA_DIR: dataDir,
      },
      ['ignore', 'ignore', 'inherit'],
    );
    let exitCode: number | null = null;
    worker.once('exit', (code) => (exitCode = code));
    let server: DevServer | undefined;
    try {
      // Long enough for the worker to have tried and failed at least once.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      assert.equal(exitCode, null, 'the worker is still waiting for its server');
      server = await startDevServer({
        ip: '127.0.0.1',
        port,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        logFile: path.join(dataDir, 'temporal.log'),
      });
      const connection = await Connection.connect({ address: server.address });
      try {
        const result = await new Client({ connection }).workflow.execute(selfCheckWorkflow, {
          taskQueue,
          workflowId: 'worker-connect-self-check',
          workflowExecutionTimeout: '1 minute',
        });
        assert.equal(result.worker.taskQueue, taskQueue);
      } finally {
        await connection.close();
      }
    } finally {
      await stopProcess(worker);
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
