import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { addItemSignal, finishSignal, itemsQuery, signalCollectorWorkflow } from './fixtures/workflows';
import { fixtureBundle, freePort } from './harness';
import { startDevServer, type DevServer, type DevServerOptions } from '../tools/stack/dev-server';

describe('the dev-server launcher', function () {
  this.timeout(180_000);
  let folder: string;
  let server: DevServer | undefined;

  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'byoi-dev-server-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  async function withClient<T>(address: string, body: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address });
    try {
      return await body(new Client({ connection }));
    } finally {
      await connection.close();
    }
  }

  async function runWorker<T>(address: string, taskQueue: string, body: () => Promise<T>): Promise<T> {
    const connection = await NativeConnection.connect({ address });
    try {
      const worker = await Worker.create({ connection, taskQueue, workflowBundle: await fixtureBundle() });
      return await worker.runUntil(body);
    } finally {
      await connection.close();
    }
  }

  it('keeps a running workflow, its state and its search attributes across a server restart', async () => {
    const options: DevServerOptions = {
      ip: '127.0.0.1',
      port: await freePort(),
      uiPort: await freePort(),
      dbFile: path.join(folder, 'temporal.sqlite'),
      logFile: path.join(folder, 'server.log'),
    };
    const taskQueue = `restart-${randomUUID()}`;
    const workflowId = `restart-${randomUUID()}`;

    server = await startDevServer(options);
    const ui = await fetch(`${server.uiUrl}/`);
    assert.equal(ui.status, 200, 'the Web UI answers');
    await runWorker(server.address, taskQueue, () =>
      withClient(server!.address, async (client) => {
        const handle = await client.workflow.start(signalCollectorWorkflow, { taskQueue, workflowId });
        await handle.signal(addItemSignal, 'before restart');
        assert.deepEqual(await handle.query(itemsQuery), ['before restart']);
      }),
    );
    await server.stop();

    server = await startDevServer(options);
    const result = await runWorker(server.address, taskQueue, () =>
      withClient(server!.address, async (client) => {
        const handle = client.workflow.getHandle<typeof signalCollectorWorkflow>(workflowId);
        assert.equal((await handle.describe()).status.name, 'RUNNING');
        await handle.signal(addItemSignal, 'after restart');
        await handle.signal(finishSignal);
        const attributes = await client.connection.operatorService.listSearchAttributes({
          namespace: 'default',
        });
        return { items: await handle.result(), attributes: Object.keys(attributes.customAttributes ?? {}) };
      }),
    );
    assert.deepEqual(result.items, ['before restart', 'after restart']);
    for (const name of [
      'ByoiKind',
      'ByoiStatus',
      'ByoiSource',
      'ByoiExternalId',
      'ByoiGenesysId',
      'ByoiChannel',
    ]) {
      assert.ok(result.attributes.includes(name), `${name} is registered after the restart`);
    }
  });

  it('refuses to start on a port that is already taken, naming the port', async () => {
    const port = await freePort();
    const options: DevServerOptions = {
      ip: '127.0.0.1',
      port,
      dbFile: path.join(folder, 'temporal.sqlite'),
      logFile: path.join(folder, 'server.log'),
    };
    server = await startDevServer(options);
    await assert.rejects(startDevServer(options), new RegExp(`port ${port} on 127.0.0.1 is already in use`));
  });
});
