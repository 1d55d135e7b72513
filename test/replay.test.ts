import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './harness';

const historiesFolder = path.join(__dirname, 'histories');

function recordedHistories(): { workflowId: string; history: unknown }[] {
  return readdirSync(historiesFolder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: file,
      history: JSON.parse(readFileSync(path.join(historiesFolder, file), 'utf8')) as unknown,
    }));
}

describe('replaying recorded histories', () => {
  // A change that would break workflows already running (non-determinism) fails here, not in production.
  it('replays every recorded history against the current workflow code without non-determinism', async function () {
    this.timeout(120_000);
    const histories = recordedHistories();
    assert.ok(histories.length > 0, `no histories in ${historiesFolder}`);
    const bundle = await workflowBundle(require.resolve('../workflows'));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });
});
