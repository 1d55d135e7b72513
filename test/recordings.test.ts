import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import axios from 'axios';
import type { GenesysClient } from '../activities/genesys/client';
import { GenesysApiError } from '../activities/genesys/errors';
import { EventPublisher } from '../activities/genesys/publisher';
import {
  createRecordingUploadReport,
  createRecordingUploadUrl,
  getConversationDetails,
  getRecordingMetadata,
  getRecordingUploadReport,
  uploadToPresignedUrl,
} from '../activities/genesys/recordings';
import {
  clientFor,
  customerLeg,
  inspect,
  isoAgo,
  md5Base64,
  rejectionOf,
  startTestSimulator,
  toneWav,
  type TestSimulator,
  finishedCall as finishedCallThrough,
} from './genesys-fixtures';

interface UploadView {
  uploadKey: string;
  status: string;
  sizeBytes?: number;
  errorMessage?: string;
}

describe('recording upload against the simulator', function () {
  this.timeout(60_000);
  let sim: TestSimulator;
  let client: GenesysClient;
  let publisher: EventPublisher;

  beforeEach(async () => {
    sim = await startTestSimulator({ agents: 1, limits: { reportProcessingMs: 100 } });
    client = clientFor(sim.simulator);
    publisher = new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 });
  });
  afterEach(async () => {
    client.close();
    await sim.simulator.stop();
  });

  const finishedCall = () => finishedCallThrough(publisher);

  async function uploadUrlFor(call: { conversationId: string; communicationId: string }, bytes: Buffer) {
    return createRecordingUploadUrl(client, {
      fileName: `${call.conversationId}/${call.communicationId}.wav`,
      contentMd5: md5Base64(bytes),
      contentType: 'audio/wav',
      serverSideEncryption: 'AES256',
    });
  }

  /** Asks for an upload URL and PUTs `bytes` to it, streamed in `chunks`. */
  async function uploadRecording(
    call: { conversationId: string; communicationId: string },
    bytes: Buffer,
    chunks: Buffer[] = [bytes],
  ) {
    const target = await uploadUrlFor(call, bytes);
    await uploadToPresignedUrl({
      url: target.url,
      headers: target.headers,
      body: Readable.from(chunks),
      sizeBytes: bytes.length,
    });
    return target;
  }

  async function uploadOf(uploadKey: string): Promise<UploadView> {
    const uploads = await inspect<UploadView[]>(sim.simulator, 'recordings');
    const upload = uploads.find((candidate) => candidate.uploadKey === uploadKey);
    assert.ok(upload, `upload ${uploadKey} unknown to the simulator`);
    return upload;
  }

  it('streams a recording to its presigned URL with its MD5 verified, and reads it back as playable', async () => {
    const call = await finishedCall();
    const wav = toneWav(30);
    const folder = await mkdtemp(join(tmpdir(), 'recording-'));
    try {
      const file = join(folder, 'call.wav');
      await writeFile(file, wav);
      const target = await uploadUrlFor(call, wav);
      assert.deepEqual(Object.keys(target.headers).sort(), [
        'Content-MD5',
        'Content-Type',
        'x-amz-server-side-encryption',
      ]);
      await uploadToPresignedUrl({
        url: target.url,
        headers: target.headers,
        body: createReadStream(file),
        sizeBytes: wav.length,
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const metadata = await getRecordingMetadata(client, call.conversationId);
    assert.equal(metadata.length, 1);
    assert.equal(metadata[0]?.sessionId, call.communicationId);
    assert.equal(metadata[0]?.fileState, 'AVAILABLE');
    const stored = await inspect<UploadView[]>(sim.simulator, 'recordings');
    assert.equal(stored[0]?.sizeBytes, wav.length);
    assert.equal(stored[0]?.status, 'Success');
  });

  it('refuses a body whose MD5 differs from the one the URL was issued for, and keeps nothing', async () => {
    const call = await finishedCall();
    const wav = toneWav(2);
    const target = await uploadUrlFor(call, wav);
    const tampered = Buffer.from(wav);
    tampered[1_000] = (tampered[1_000] ?? 0) ^ 0xff;
    const error = await rejectionOf(
      uploadToPresignedUrl({
        url: target.url,
        headers: target.headers,
        body: Readable.from([tampered]),
        sizeBytes: tampered.length,
      }),
    );
    assert.ok(error instanceof GenesysApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'BadDigest');
    assert.equal(error.retryable, false);
    assert.doesNotMatch(error.message, /X-Amz-Signature/, 'the URL signature stays out of errors');
    assert.equal((await uploadOf(target.uploadKey)).status, 'Pending');
    assert.deepEqual(await getRecordingMetadata(client, call.conversationId), []);
  });

  it('refuses a PUT whose headers differ from the ones returned with the URL', async () => {
    const call = await finishedCall();
    const wav = toneWav(1);
    const target = await uploadUrlFor(call, wav);
    const error = await rejectionOf(
      uploadToPresignedUrl({
        url: target.url,
        headers: { ...target.headers, 'Content-Type': 'audio/mpeg' },
        body: Readable.from([wav]),
        sizeBytes: wav.length,
      }),
    );
    assert.ok(error instanceof GenesysApiError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'SignatureDoesNotMatch');
    assert.match(error.message, /content-type/);
  });

  it('refuses a tampered or expired URL', async () => {
    const call = await finishedCall();
    const wav = toneWav(1);
    const target = await uploadUrlFor(call, wav);
    const tampered = target.url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_match, first: string) => `X-Amz-Signature=${first === '0' ? '1' : '0'}`,
    );
    const put = (url: string) =>
      rejectionOf(
        uploadToPresignedUrl({
          url,
          headers: target.headers,
          body: Readable.from([wav]),
          sizeBytes: wav.length,
        }),
      );
    const forged = await put(tampered);
    assert.ok(forged instanceof GenesysApiError);
    assert.equal(forged.code, 'AccessDenied');
    const shortLived = await createRecordingUploadUrl(client, {
      fileName: `${call.conversationId}/${call.communicationId}.wav`,
      contentMd5: md5Base64(wav),
      contentType: 'audio/wav',
      signedUrlTimeoutSeconds: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await put(shortLived.url);
    assert.ok(expired instanceof GenesysApiError);
    assert.equal(expired.status, 403);
    assert.match(expired.message, /expired/);
  });

  it('holds a recording uploaded before its conversation, then settles it once the leg is injected', async () => {
    const conversationId = randomUUID();
    const leg = customerLeg(conversationId, isoAgo(60_000));
    const wav = toneWav(1);
    const target = await uploadRecording({ conversationId, communicationId: leg.communicationId }, wav);
    assert.equal((await uploadOf(target.uploadKey)).status, 'WaitForConversation');
    await publisher.publishConversationEvent('externalEstablishedEvents', leg);
    assert.equal((await uploadOf(target.uploadKey)).status, 'Success');
  });

  it('marks a file that is not audio of its declared type as failed', async () => {
    const call = await finishedCall();
    const notAudio = Buffer.from('this is a text file, not a recording');
    const target = await uploadRecording(call, notAudio);
    const upload = await uploadOf(target.uploadKey);
    assert.equal(upload.status, 'Failure');
    assert.match(upload.errorMessage ?? '', /audio\/wav/);
  });

  it('refuses an upload URL request whose fileName does not tie it to a conversation leg', async () => {
    const error = await rejectionOf(
      createRecordingUploadUrl(client, { fileName: 'call.wav', contentMd5: md5Base64(Buffer.from('x')) }),
    );
    assert.ok(error instanceof GenesysApiError);
    assert.equal(error.status, 400);
    assert.match(error.message, /<conversationId>\/<communicationId>/);
  });

  it('lists uploads in a report that completes, and summarises the conversation in analytics details', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const call = await finishedCall();
    const wav = toneWav(1);
    const target = await uploadRecording(call, wav);
    let report = await createRecordingUploadReport(client, since, 'Success');
    assert.equal(report.state, 'InProgress');
    while (report.state === 'InProgress') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      report = await getRecordingUploadReport(client, report.id);
    }
    assert.equal(report.state, 'Completed');
    assert.ok(report.signedUrl);
    const listing = await axios.get<{ entities: UploadView[] }>(report.signedUrl);
    assert.deepEqual(
      listing.data.entities.map((upload) => upload.uploadKey),
      [target.uploadKey],
    );
    const details = await getConversationDetails(client, call.conversationId);
    assert.equal(details.conversationId, call.conversationId);
    const text = JSON.stringify(details);
    assert.match(text, /"purpose":"customer"/);
    assert.match(text, /"disconnectType":"Peer"/);
    const unknown = await rejectionOf(getRecordingMetadata(client, randomUUID()));
    assert.ok(unknown instanceof GenesysApiError);
    assert.equal(unknown.status, 404);
  });

  it('keeps the uploaded bytes exactly as sent', async () => {
    const call = await finishedCall();
    const wav = toneWav(3);
    const target = await uploadRecording(call, wav, [wav.subarray(0, 10_000), wav.subarray(10_000)]);
    const stored = await readFile(join(sim.simulator.context.uploadDir, target.uploadKey));
    assert.ok(stored.equals(wav));
  });
});
