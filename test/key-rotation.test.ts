/**
 * Rotating the payload codec's key under a running conversation: what the old key sealed still opens and
 * replays; a worker that lacks a key the history needs fails its workflow task naming that key and changes
 * nothing, and the conversation completes once a worker holding both keys takes it over.
 */
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import { historyPayloads } from '../client/library/history-payloads';
import { newKeyEntry } from '../config/codec-keys';
import { bridgeDataConverter } from '../config/data-converter';
import { EncryptionCodec, type CodecKeys, type PayloadDecryptionError } from '../config/payload-codec';
import {
  conversationStatusQuery,
  type conversationWorkflow,
  type ConversationWorkflowSettings,
} from '../workflows/conversation';
import { untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { customerInteractions, freshKeys } from './customer-fixtures';
import { startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';
import { exited, workerProcess } from './processes';

const source = 'acd-rotation';
const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 500,
  wrapUpWaitMs: 2_000,
  expectRecording: 'never',
};

/** The ids of the keys that sealed a history's payloads; none is plain. */
function sealingKeyIds(history: temporal.api.history.v1.IHistory): string[] {
  const payloads = historyPayloads(history);
  assert.equal(payloads.plain, 0, 'every payload is sealed');
  return Object.keys(payloads.sealedByKey).sort();
}

/** Replays `history` on a worker holding `keys`. */
async function replay(
  keys: CodecKeys,
  history: temporal.api.history.v1.IHistory,
  workflowId: string,
  onRefusal?: (error: PayloadDecryptionError) => void,
) {
  await Worker.runReplayHistory(
    {
      workflowBundle: await workflowBundle(require.resolve('../workflows'), true),
      dataConverter: bridgeDataConverter(keys, onRefusal),
    },
    history,
    workflowId,
  );
}

describe('rotating the payload key under a running conversation', function () {
  this.timeout(180_000);
  const [oldEntry, newEntry] = [newKeyEntry(), newKeyEntry()];
  const oldKeyId = oldEntry.split(':')[0]!;
  const newKeyId = newEntry.split(':')[0]!;
  const oldOnly = freshKeys([oldEntry]);
  const rotated = freshKeys([newEntry, oldEntry]);
  const newOnly = freshKeys([newEntry]);
  const taskQueue = uniqueTaskQueue('rotation');
  const { call } = customerInteractions(source);
  const workflowId = conversationWorkflowId(source, call[0]!.interactionId);
  let sim: TestSimulator;
  let worker: TestBridgeWorker | undefined;

  const clientHolding = (keys: CodecKeys) =>
    new Client({ connection: localEnvironment().connection, dataConverter: bridgeDataConverter(keys) });
  const history = () => localEnvironment().client.workflow.getHandle(workflowId).fetchHistory();

  before(async () => {
    sim = await startTestSimulator({ agents: 3, sourceName: source });
  });
  after(async () => {
    await worker?.stop();
    await sim?.simulator.stop();
  });

  /** Stops the running worker, if any, and starts one holding `keys`. */
  async function workerHolding(keys: CodecKeys): Promise<void> {
    const running = worker;
    worker = undefined;
    await running?.stop();
    worker = await runBridgeWorker(sim, taskQueue, { codecKeys: keys });
  }

  it('keeps a run readable across the rotation, and fails loudly, by key id, where a key is missing', async () => {
    // Before the rotation: the call starts, sealed with the old key.
    await workerHolding(oldOnly);
    const client = clientHolding(oldOnly);
    for (const event of call.slice(0, 3)) await sendInteractionEvent(client, taskQueue, event, settings);
    await untilQueried(
      client,
      workflowId,
      conversationStatusQuery,
      (status) => status.counters.applied === 3,
    );
    const writtenBefore = await history();
    assert.deepEqual(sealingKeyIds(writtenBefore), [oldKeyId]);
    // A worker holding only the old key still replays what it sealed, and so does one holding both.
    await replay(oldOnly, writtenBefore, workflowId);
    await replay(rotated, writtenBefore, workflowId);

    // The rotation: clients seal with the new key; a worker given only the new key cannot read the run.
    const rotatedClient = clientHolding(rotated);
    await workerHolding(newOnly);
    await sendInteractionEvent(rotatedClient, taskQueue, call[3]!, settings);
    const failure = await untilWorkflowTaskFailed(rotated);
    assert.match(failure, new RegExp(`sealed with key "${oldKeyId}", which this process does not hold`));
    // A worker holding both keys takes over: the event waiting is applied once, and the call completes.
    await workerHolding(rotated);
    await sendInteractionEvent(rotatedClient, taskQueue, call[4]!, settings);
    const outcome = await rotatedClient.workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.equal(outcome.counters.applied, call.length);
    assert.equal(outcome.counters.duplicates, 0);

    const whole = await history();
    assert.deepEqual(sealingKeyIds(whole), [oldKeyId, newKeyId].sort());
    await replay(rotated, whole, workflowId);
    const refusals: PayloadDecryptionError[] = [];
    await assert.rejects(replay(oldOnly, whole, workflowId, (error) => refusals.push(error)));
    assert.ok(refusals.length > 0 && refusals.every((refusal) => refusal.keyId === newKeyId));
  });

  it("names the missing key in a worker process's log, and never a key", async () => {
    const processQueue = uniqueTaskQueue('rotation-process');
    const { call: another } = customerInteractions(source);
    const workflowId = conversationWorkflowId(source, another[0]!.interactionId);
    await sendInteractionEvent(clientHolding(oldOnly), processQueue, another[0]!, settings);
    const child = workerProcess(sim, processQueue, { BYOI_CODEC_KEYS: newEntry }, 'pipe');
    try {
      const lines = createInterface({ input: child.stdout! });
      let refusal: string | undefined;
      for await (const line of lines) {
        if (line.includes('"keyId"')) {
          refusal = line;
          break;
        }
      }
      const entry = JSON.parse(refusal!) as { level: number; keyId: string; msg: string };
      assert.equal(entry.level, 50, 'logged as an error');
      assert.equal(entry.keyId, oldKeyId);
      assert.match(entry.msg, /which this process does not hold .*add that key to BYOI_CODEC_KEYS/);
      assert.ok(!refusal!.includes(newEntry.split(':')[1]!), 'no key in the log');
    } finally {
      child.kill('SIGKILL');
      await exited(child);
      await localEnvironment().client.workflow.getHandle(workflowId).terminate('test over');
    }
  });

  /** The message of the run's latest failed workflow task, opened with `keys`. */
  async function untilWorkflowTaskFailed(keys: CodecKeys): Promise<string> {
    const codec = new EncryptionCodec(keys);
    for (;;) {
      const events = (await history()).events ?? [];
      const failed = events.findLast((event) => event.workflowTaskFailedEventAttributes)
        ?.workflowTaskFailedEventAttributes?.failure;
      if (failed) {
        if (!failed.encodedAttributes) return failed.message ?? '';
        const [opened] = await codec.decode([failed.encodedAttributes]);
        return defaultPayloadConverter.fromPayload<{ message: string }>(opened!).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
