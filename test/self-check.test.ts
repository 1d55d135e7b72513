import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';
import { loadConfig } from '../workers/config';
import { createBridgeWorker } from '../workers/worker';
import { selfCheckWorkflow } from '../workflows';

describe('the bridge worker', () => {
  it('serves the self-check workflow on its task queue and reports which worker ran it', async () => {
    const environment = localEnvironment();
    const config = { ...loadConfig({}), taskQueue: uniqueTaskQueue('bridge') };
    const worker = await createBridgeWorker({
      connection: environment.nativeConnection,
      config,
      dependencies: { bridgeVersion: '9.9.9-test' },
      workflowBundle: await workflowBundle(require.resolve('../workflows')),
    });
    const result = await worker.runUntil(
      environment.client.workflow.execute(selfCheckWorkflow, {
        taskQueue: config.taskQueue,
        workflowId: `self-check-${randomUUID()}`,
      }),
    );
    assert.equal(result.worker.taskQueue, config.taskQueue);
    assert.equal(result.worker.pid, process.pid);
    assert.equal(result.worker.bridgeVersion, '9.9.9-test');
    assert.ok(!Number.isNaN(Date.parse(result.checkedAt)));
  });
});
