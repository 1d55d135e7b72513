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
import { BridgeClient } from '../client/library/bridge-client';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import {
  abandonUpdate,
  conversationStatusQuery,
  type ConversationResult,
  type ConversationWorkflowSettings,
  type conversationWorkflow,
} from '../workflows/conversation';
import type { InteractionEvent } from '../domain/events/interaction-event';
import { answeredCall } from './conversation-fixtures';
import { inspect, md5Base64, startTestSimulator, toneWav, type TestSimulator } from './genesys-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { localEnvironment, timeSkippingEnvironment, uniqueTaskQueue } from './harness';
import { exited, workerProcess } from './processes';
import { startVendorMediaHost, type VendorMediaHost } from './vendor-media-host';

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
    // Streamed, the file is never whole in memory: a buffered one adds at least its size. What streaming
    // adds is the young generation V8 grows under the allocation pressure, up to some 30 MiB whatever
    // the file's size (3 to 28 MiB over the test's runs), so the bound is the file, not half of it.
    assert.ok(growth < bigWav.length, `the peak grew by ${growth} bytes, under the file’s size`);
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

describe('which calls wait for a recording, and what their status says meanwhile', function () {
  this.timeout(120_000);
  const connect = 'connect-recordings';
  const s3Key = {
    accessKeyId: 'AKIATESTCONNECT00001',
    secretAccessKey: 'connect-test-secret',
    region: 'eu-west-2',
  };
  const bucket = 'amazon-connect-recordings-test';
  let sim: TestSimulator;
  let host: VendorMediaHost;
  let bridge: TestBridgeWorker;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('recording-expectations');
  const wav = toneWav(3);

  before(async () => {
    sim = await startTestSimulator({ agents: 2, sourceName: connect });
    host = await startVendorMediaHost({
      s3: s3Key,
      twilio: { accountSid: 'AC-unused', authToken: 'unused' },
    });
    bridge = await runBridgeWorker(sim, taskQueue);
  });
  after(async () => {
    await bridge.stop();
    if (worker) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    await host.close();
    await sim.simulator.stop();
  });

  /** Hands `events` to the client the ingress uses, with the sources' expectations as BYOI_EXPECT_RECORDINGS gives them. */
  async function submit(
    events: InteractionEvent[],
    {
      queue = taskQueue,
      expectRecordingBySource = {},
    }: Partial<{
      queue: string;
      expectRecordingBySource: Record<string, ConversationWorkflowSettings['expectRecording']>;
    }> = {},
  ) {
    const bridgeClient = new BridgeClient(localEnvironment().client, {
      taskQueue: queue,
      conversationSettings: settings,
      expectRecordingBySource,
    });
    const outcomes = await bridgeClient.submit(events.map((event) => ({ kind: 'conversation', ...event })));
    assert.ok(
      outcomes.every((outcome) => outcome.outcome === 'accepted'),
      JSON.stringify(outcomes),
    );
    return localEnvironment().client.workflow.getHandle<typeof conversationWorkflow>(
      conversationWorkflowId(events[0]!.source, events[0]!.interactionId),
    );
  }

  it('completes an answered call of a source that expects no recordings without waiting for one', async () => {
    const startedAt = Date.now();
    const events = answeredCall(connect, 'agent-1', 'Sales');
    const outcome = await (
      await submit(events, { expectRecordingBySource: { [connect]: 'never' } })
    ).result();
    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.equal(outcome.recording.state, 'notExpected');
    assert.ok(Date.now() - startedAt < 30_000, 'no two-hour wait');
  });

  it('says the recording is waiting while it waits for one, then uploads it', async () => {
    const events = answeredCall(connect, 'agent-2', 'Sales');
    const handle = await submit(events);
    let status = await handle.query(conversationStatusQuery);
    while (status.status !== 'WaitingForRecording') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await handle.query(conversationStatusQuery);
    }
    assert.equal(status.recording.state, 'waiting');
    const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    assert.match(currentDetails, /WaitingForRecording/);
    assert.match(currentDetails, /recording waiting\./);
    assert.doesNotMatch(currentDetails, /notExpected/);
    // The same call's recording, as an adapter announces it: at a file URL, no size.
    const directory = await mkdtemp(join(tmpdir(), 'byoi-recording-waiting-'));
    try {
      const file = join(directory, 'call.wav');
      await writeFile(file, wav);
      const recordingReady = answeredCall(connect, 'agent-2', 'Sales', [
        { type: 'recordingReady', url: pathToFileURL(file).href, contentType: 'audio/wav' },
      ]).at(-1)!;
      await submit([{ ...recordingReady, interactionId: events[0]!.interactionId }]);
      const outcome = await handle.result();
      assert.equal(outcome.status, 'Completed', outcome.message);
      assert.equal(outcome.recording.uploaded?.sizeBytes, wav.length);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('ends an abandoned call that waited for its recording with the recording missing, saying why', async () => {
    const handle = await submit(answeredCall(connect, 'agent-1', 'Sales'));
    while ((await handle.query(conversationStatusQuery)).status !== 'WaitingForRecording') {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'the platform lost the recording' }] });
    const outcome = await handle.result();
    assert.equal(outcome.status, 'Abandoned');
    assert.equal(outcome.recording.state, 'missing');
    assert.equal(outcome.recording.reason, 'the conversation was abandoned before its recording was ready');
  });

  it('uploads an s3:// recording that announced no size, fetched with the worker’s S3 settings, its MD5 intact', async () => {
    const processQueue = uniqueTaskQueue('recording-s3');
    const objectKey = 'connect/test-instance/CallRecordings/2026/12/03/contact-1_20261203T07:00_UTC.wav';
    host.putObject(bucket, objectKey, wav);
    // The worker as deployed: the source's origin and S3 from its configuration, AWS credentials from the
    // SDK's default chain (its environment).
    worker = workerProcess(sim, processQueue, {
      BYOI_RECORDING_ORIGINS: `${connect}:s3://${bucket}`,
      BYOI_S3_ENDPOINT: host.url,
      BYOI_S3_REGION: s3Key.region,
      AWS_ACCESS_KEY_ID: s3Key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3Key.secretAccessKey,
    });
    const handle = await submit(
      answeredCall(connect, 'agent-1', 'Sales', [
        { type: 'recordingReady', url: `s3://${bucket}/${objectKey}`, contentType: 'audio/wav' },
      ]),
      { queue: processQueue },
    );
    const outcome = await handle.result();
    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.equal(outcome.recording.uploaded?.sizeBytes, wav.length);
    assert.equal(outcome.recording.uploaded?.md5, md5Base64(wav));
    assert.deepEqual(host.refused, [], 'every request was signed with the configured key');
    const conversation = await inspect<{
      recordings: { status: string; uploadKey: string; sizeBytes?: number }[];
    }>(sim.simulator, `conversations/${outcome.conversationId}`);
    const [stored] = conversation.recordings;
    assert.equal(stored?.status, 'Success');
    const bytes = await readFile(join(sim.simulator.context.uploadDir, stored.uploadKey));
    assert.equal(md5Base64(bytes), md5Base64(wav), 'Genesys holds the very bytes S3 served');
  });
});
