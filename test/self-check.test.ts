import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  asActivityFailure,
  GenesysApiError,
  GenesysEventRejectedError,
  genesysFailureTypes,
} from '../activities/genesys/errors';
import { EventPublisher } from '../activities/genesys/publisher';
import { clientFor, startTestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';
import { loadConfig } from '../config';
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
    assert.deepEqual(result.genesys, { configured: false });
  });

  it('reports what the worker reads from Genesys through its own connection', async () => {
    const environment = localEnvironment();
    const sim = await startTestSimulator({ agents: 0 });
    const client = clientFor(sim.simulator);
    try {
      const config = { ...loadConfig({}), taskQueue: uniqueTaskQueue('bridge') };
      const worker = await createBridgeWorker({
        connection: environment.nativeConnection,
        config,
        dependencies: {
          bridgeVersion: '9.9.9-test',
          genesys: {
            client,
            publisher: new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
          },
        },
        workflowBundle: await workflowBundle(require.resolve('../workflows')),
      });
      const result = await worker.runUntil(
        environment.client.workflow.execute(selfCheckWorkflow, {
          taskQueue: config.taskQueue,
          workflowId: `self-check-${randomUUID()}`,
        }),
      );
      assert.deepEqual(result.genesys, {
        configured: true,
        apiBaseUrl: sim.simulator.url,
        homeDivision: sim.seed.homeDivision.name,
        presenceDefinitions: sim.seed.presenceDefinitions.length,
        requestsAllowedPerMinute: 300,
      });
    } finally {
      client.close();
      await sim.simulator.stop();
    }
  });
});

describe('Genesys failures as activity failures', () => {
  const apiError = (status: number | undefined, retryAfterMs?: number) =>
    new GenesysApiError({
      method: 'POST',
      path: '/api/v2/events/users/presence',
      status,
      code: undefined,
      message: 'failed',
      correlationId: 'c-1',
      retryAfterMs,
    });

  it('retries a 429 after its Retry-After, and a network failure by the retry policy', () => {
    const throttled = asActivityFailure(apiError(429, 2_000));
    assert.ok(throttled instanceof ApplicationFailure);
    assert.equal(throttled.type, genesysFailureTypes.retryable);
    assert.equal(throttled.nonRetryable, false);
    assert.equal(throttled.nextRetryDelay, 2_000);
    const network = asActivityFailure(apiError(undefined));
    assert.ok(network instanceof ApplicationFailure);
    assert.equal(network.nonRetryable, false);
    assert.equal(network.nextRetryDelay, undefined);
  });

  it('does not retry a 403 or an event Genesys refused for good', () => {
    const forbidden = asActivityFailure(apiError(403));
    assert.ok(forbidden instanceof ApplicationFailure);
    assert.equal(forbidden.type, genesysFailureTypes.rejected);
    assert.equal(forbidden.nonRetryable, true);
    const refused = asActivityFailure(new GenesysEventRejectedError('e-1', 'too old', false, 'c-2'));
    assert.ok(refused instanceof ApplicationFailure);
    assert.equal(refused.type, genesysFailureTypes.eventRejected);
    assert.equal(refused.nonRetryable, true);
    const transient = asActivityFailure(new GenesysEventRejectedError('e-2', 'try again', true, 'c-3'));
    assert.ok(transient instanceof ApplicationFailure);
    assert.equal(transient.nonRetryable, false);
  });
});
