import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import type {
  ConversationResult,
  ConversationWorkflowSettings,
  conversationWorkflow,
} from '../workflows/conversation';
import { answeredCall } from './conversation-fixtures';
import { inspect, md5Base64, startTestSimulator, toneWav, type TestSimulator } from './genesys-fixtures';
import { runBridgeWorker } from './bridge-fixtures';
import { localEnvironment, timeSkippingEnvironment, uniqueTaskQueue } from './harness';
import { exited, workerProcess } from './processes';

const source = 'acd-recordings';
const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 500,
  wrapUpWaitMs: 2_000,
  uploadHeartbeatTimeoutMs: 3_000,
};

/** Resident and peak memory of a process, in bytes (Linux). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Serves `file` over HTTP at about `bytesPerSecond`, counting what it has sent. */
async function slowSource(file: string, bytesPerSecond: number) {
  const served = { bytes: 0, requests: 0 };
  const server: Server = createServer((request, response) => {
    served.requests++;
    response.writeHead(200, { 'content-type': 'audio/wav' });
    const throttle = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        served.bytes += chunk.length;
        setTimeout(() => done(null, chunk), (chunk.length / bytesPerSecond) * 1_000);
      },
    });
    createReadStream(file).pipe(throttle).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/recordings/call.wav`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('conversation recordings uploaded by a worker process', function () {
  this.timeout(180_000);
  let sim: TestSimulator;
  let directory: string;
  let wav: Buffer;
  let wavFile: string;
  let bigWav: Buffer;
  let bigWavFile: string;
  const workers: ChildProcess[] = [];
  const taskQueue = uniqueTaskQueue('recordings');

  before(async () => {
    sim = await startTestSimulator({ agents: 2, sourceName: source });
    directory = await mkdtemp(join(tmpdir(), 'byoi-recording-test-'));
    wav = toneWav(1_250); // 20,000,044 bytes
    wavFile = join(directory, 'call.wav');
    await writeFile(wavFile, wav);
    // Large enough that a file held in memory stands far above the worker's own ups and downs.
    bigWav = toneWav(3_125); // 50,000,044 bytes
    bigWavFile = join(directory, 'long-call.wav');
    await writeFile(bigWavFile, bigWav);
  });
  after(async () => {
    for (const worker of workers) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    await sim.simulator.stop();
    await rm(directory, { recursive: true, force: true });
  });

  // A spool folder that does not exist yet: the worker makes it on its first upload.
  const spoolDir = () => join(directory, 'spool', 'first-use');
  const startWorker = () => {
    const worker = workerProcess(sim, taskQueue, { BYOI_RECORDING_SPOOL_DIR: spoolDir() });
    workers.push(worker);
    return worker;
  };

  /** Sends an answered call whose recording is at `url`; answers its workflow's handle. */
  async function callWithRecording(url: string, file = wav) {
    const client = localEnvironment().client;
    const events = answeredCall(source, 'agent-1', 'Sales', [
      { type: 'recordingReady', url, contentType: 'audio/wav', sizeBytes: file.length, md5: md5Base64(file) },
    ]);
    for (const event of events) await sendInteractionEvent(client, taskQueue, event, settings);
    return client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(source, events[0]!.interactionId),
    );
  }

  /** Genesys holds exactly one playable recording of the conversation, with the file's MD5. */
  async function assertOneRecording(outcome: ConversationResult, file = wav) {
    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.equal(outcome.recording.state, 'uploaded');
    assert.equal(outcome.recording.uploaded?.md5, md5Base64(file));
    const conversation = await inspect<{ recordings: { status: string; sizeBytes?: number }[] }>(
      sim.simulator,
      `conversations/${outcome.conversationId}`,
    );
    const playable = conversation.recordings.filter((recording) => recording.status === 'Success');
    assert.equal(playable.length, 1, 'one playable recording');
    assert.equal(playable[0]?.sizeBytes, file.length);
  }

  it('uploads a 50 MB recording with its MD5 while the worker’s memory stays flat', async () => {
    const worker = startWorker();
    // A first call warms the worker up (bundle, connections, the first workflow and activities).
    const warmUp = await callWithRecording(pathToFileURL(wavFile).href);
    await assertOneRecording(await warmUp.result());
    await writeFile(`/proc/${worker.pid}/clear_refs`, '5'); // resets the peak (VmHWM) to the current RSS
    const before = await memoryOf(worker.pid!);
    const handle = await callWithRecording(pathToFileURL(bigWavFile).href, bigWav);
    await assertOneRecording(await handle.result(), bigWav);
    const after = await memoryOf(worker.pid!);
    const growth = after.peak - before.rss;
    console.log(
      `      (worker RSS ${(before.rss / 2 ** 20).toFixed(0)} MiB before, peak ${(after.peak / 2 ** 20).toFixed(0)} MiB during a ${(bigWav.length / 2 ** 20).toFixed(0)} MiB upload)`,
    );
    assert.ok(growth < bigWav.length / 2, `the peak grew by ${growth} bytes, well under the file’s size`);
    assert.deepEqual(
      await readdir(spoolDir()),
      [],
      'the spool folder was made, and each upload cleared its file',
    );
  });

  it('finishes the upload after the worker is SIGKILLed in the middle of it, with one recording in Genesys', async () => {
    for (const worker of workers.splice(0)) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    const slow = await slowSource(wavFile, 4 * 2 ** 20);
    try {
      const first = startWorker();
      const handle = await callWithRecording(slow.url);
      while (slow.served.bytes < wav.length / 3) await new Promise((resolve) => setTimeout(resolve, 50));
      first.kill('SIGKILL');
      await exited(first);
      const killedAt = slow.served.bytes;
      startWorker();
      const outcome = await handle.result();
      await assertOneRecording(outcome);
      assert.ok(killedAt < wav.length, 'the worker died before the file was through');
      assert.equal(slow.served.requests, 2, 'the retry fetched the file again from its source');
    } finally {
      await slow.close();
    }
  });

  it('ends RecordingMissing when no recording arrives in time (time-skipping: two hours in seconds)', async () => {
    const environment = await timeSkippingEnvironment();
    const skippingQueue = uniqueTaskQueue('recording-missing');
    const bridge = await runBridgeWorker(sim, skippingQueue, { environment });
    try {
      const events = answeredCall(source, 'agent-2', 'Sales');
      for (const event of events) {
        await sendInteractionEvent(environment.client, skippingQueue, event, { reorderWindowMs: 500 });
      }
      const wallStart = Date.now();
      const outcome = await environment.client.workflow
        .getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, events[0]!.interactionId))
        .result();
      assert.equal(outcome.status, 'RecordingMissing');
      assert.equal(outcome.recording.state, 'missing');
      assert.match(outcome.message ?? '', /no recording was ready within 120 minutes of the end of the call/);
      assert.equal(outcome.legs.filter((leg) => leg.ended).length, 3, 'the call itself landed');
      assert.ok(Date.now() - wallStart < 60_000);
    } finally {
      await bridge.stop();
    }
  });
});
