import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  addItemSignal,
  finishSignal,
  itemsQuery,
  longTimerWorkflow,
  signalCollectorWorkflow,
} from './fixtures/workflows';
import {
  fixtureBundle,
  localEnvironment,
  timeSkippingEnvironment,
  uniqueTaskQueue,
  withWorker,
} from './harness';
import { byoiExternalId, byoiKind, byoiStatus } from '../workflows/search-attributes';

describe('the Temporal test harness', () => {
  it('delivers signals to a running workflow in order and answers queries about them', async () => {
    const environment = localEnvironment();
    const taskQueue = uniqueTaskQueue('harness');
    const workflowBundle = await fixtureBundle();
    const result = await withWorker(environment, { taskQueue, workflowBundle }, async () => {
      const handle = await environment.client.workflow.start(signalCollectorWorkflow, {
        taskQueue,
        workflowId: `collector-${randomUUID()}`,
      });
      const sent = Array.from({ length: 10 }, (_, index) => `item-${index}`);
      for (const item of sent) await handle.signal(addItemSignal, item);
      assert.deepEqual(await handle.query(itemsQuery), sent);
      await handle.signal(finishSignal);
      return { sent, received: await handle.result() };
    });
    assert.deepEqual(result.received, result.sent);
  });

  it('finds a workflow by the bridge search attributes registered on the dev server', async () => {
    const environment = localEnvironment();
    const taskQueue = uniqueTaskQueue('attributes');
    const externalId = `agent-${randomUUID()}`;
    const workflowBundle = await fixtureBundle();
    await withWorker(environment, { taskQueue, workflowBundle }, async () => {
      const handle = await environment.client.workflow.start(signalCollectorWorkflow, {
        taskQueue,
        workflowId: `attributes-${randomUUID()}`,
        typedSearchAttributes: [
          { key: byoiKind, value: 'agent' },
          { key: byoiStatus, value: 'Running' },
          { key: byoiExternalId, value: externalId },
        ],
      });
      let found: string[] = [];
      for (let attempt = 0; attempt < 50 && found.length === 0; attempt++) {
        found = [];
        const query = `ByoiKind = 'agent' AND ByoiExternalId = '${externalId}'`;
        for await (const execution of environment.client.workflow.list({ query }))
          found.push(execution.workflowId);
        if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(found, [handle.workflowId]);
      await handle.signal(finishSignal);
      await handle.result();
    });
  });

  it('skips a timer of hours on the time-skipping server', async function () {
    this.timeout(120_000);
    const environment = await timeSkippingEnvironment();
    const taskQueue = uniqueTaskQueue('time-skipping');
    const workflowBundle = await fixtureBundle();
    const wallStart = Date.now();
    const result = await withWorker(environment, { taskQueue, workflowBundle }, () =>
      environment.client.workflow.execute(longTimerWorkflow, {
        taskQueue,
        workflowId: `timer-${randomUUID()}`,
        args: [6],
      }),
    );
    const wallElapsedMs = Date.now() - wallStart;
    assert.ok(result.elapsedMs >= 6 * 3600_000, `workflow time advanced only ${result.elapsedMs} ms`);
    // Six hours of workflow time in a few seconds of real time can only mean the server skipped it.
    assert.ok(wallElapsedMs < 30_000, `six hours took ${wallElapsedMs} ms of real time`);
    console.log(`      (six hours of workflow time took ${wallElapsedMs} ms of real time)`);
  });
});
