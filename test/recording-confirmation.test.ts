import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  recordingFailureTypes,
  uploadRecordingFile,
  type RecordingToUpload,
} from '../activities/conversations/recording';
import type { GenesysClient } from '../activities/genesys/client';
import { GenesysApiError } from '../activities/genesys/errors';
import { createRecordingUploadUrl } from '../activities/genesys/recordings';
import { EventPublisher } from '../activities/genesys/publisher';
import {
  RecordingConfirmer,
  type RecordingConfirmerOptions,
} from '../activities/genesys/recording-confirmer';
import type { RequestLogEntry } from '../simulator/state';
import {
  clientFor,
  inspect,
  md5Base64,
  rejectionOf,
  requestsTo,
  setFaults,
  startTestSimulator,
  toneWav,
  type TestSimulator,
  finishedCall,
} from './genesys-fixtures';

interface Call {
  conversationId: string;
  communicationId: string;
}

interface UploadView {
  uploadKey: string;
  recordingId: string;
  fileName: string;
  status: string;
}

/** The requests a confirmation costs: report API calls, report downloads, recording-metadata reads. */
interface ConfirmationCost {
  reportRequests: number;
  reportDownloads: number;
  metadataReads: number;
}

describe('confirming uploaded recordings as playable', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let client: GenesysClient;
  let publisher: EventPublisher;
  let folder: string;
  let wav: Buffer;
  let wavUrl: string;
  const confirmers: RecordingConfirmer[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ agents: 1 });
    client = clientFor(sim.simulator);
    publisher = new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 });
    folder = await mkdtemp(join(tmpdir(), 'recording-confirmation-'));
    wav = toneWav(1);
    const file = join(folder, 'call.wav');
    await writeFile(file, wav);
    wavUrl = pathToFileURL(file).href;
  });
  afterEach(async () => {
    assert.ok(
      confirmers.splice(0).every((confirmer) => confirmer.waitingCount === 0),
      'no file is left waiting',
    );
    client.close();
    await sim.simulator.stop();
    await rm(folder, { recursive: true, force: true });
  });

  function confirmer(options: RecordingConfirmerOptions = {}): RecordingConfirmer {
    const made = new RecordingConfirmer(client, options);
    confirmers.push(made);
    return made;
  }

  /** Injects finished inbound calls, each with one customer leg. */
  function finishedCalls(count: number): Promise<Call[]> {
    return Promise.all(Array.from({ length: count }, () => finishedCall(publisher)));
  }

  /**
   * Runs the upload activity for `call` as Temporal would: a retry passes its `attempt`, the
   * `heartbeatDetails` of the attempt before and the first attempt's `scheduledTimestampMs`.
   */
  function uploadActivity(
    call: Call,
    using: RecordingConfirmer,
    options: {
      attempt?: number;
      heartbeatDetails?: unknown;
      scheduledTimestampMs?: number;
      onHeartbeat?: (details: unknown) => void;
      file?: Buffer;
      url?: string;
    } = {},
  ) {
    const file = options.file ?? wav;
    const recording: RecordingToUpload = {
      ...call,
      source: 'acd',
      url: options.url ?? wavUrl,
      contentType: 'audio/wav',
      sizeBytes: file.length,
      md5: md5Base64(file),
    };
    const environment = new MockActivityEnvironment({
      attempt: options.attempt ?? 1,
      heartbeatDetails: options.heartbeatDetails,
      scheduledTimestampMs: options.scheduledTimestampMs ?? Date.now(),
    });
    if (options.onHeartbeat) environment.on('heartbeat', options.onHeartbeat);
    return uploadRecordingFile(client, recording, environment.context, {
      confirmer: using,
      spoolDir: folder,
    });
  }

  /** What confirming cost since `since` (ms), read from the simulator's request log. */
  async function confirmationCost(since: number): Promise<ConfirmationCost> {
    const after = (entries: RequestLogEntry[]) => entries.filter((entry) => entry.at >= since).length;
    return {
      reportRequests: after(await requestsTo(sim.simulator, '/api/v2/recording/uploads/reports')),
      reportDownloads: after(await requestsTo(sim.simulator, '/__reports/')),
      metadataReads: after(await requestsTo(sim.simulator, '/api/v2/conversations/')),
    };
  }

  async function uploadsIn(simulator: TestSimulator): Promise<UploadView[]> {
    return inspect<UploadView[]>(simulator.simulator, 'recordings');
  }

  it('confirms 50 recordings uploaded at once with a handful of report requests, not one read per recording', async () => {
    const calls = await finishedCalls(50);
    const shared = confirmer();
    const since = Date.now();
    const uploaded = await Promise.all(calls.map((call) => uploadActivity(call, shared)));
    const cost = await confirmationCost(since);
    console.log(
      `      (50 recordings confirmed in ${shared.stats.rounds} rounds: ${cost.reportRequests} report requests, ${cost.reportDownloads} report downloads, ${cost.metadataReads} metadata reads)`,
    );
    const stored = await uploadsIn(sim);
    assert.equal(stored.length, 50);
    assert.ok(stored.every((upload) => upload.status === 'Success'));
    const recordingIds = new Map(stored.map((upload) => [upload.fileName, upload.recordingId]));
    for (const recording of uploaded)
      assert.equal(recording.recordingId, recordingIds.get(recording.fileName));
    assert.equal(cost.metadataReads, 0, 'no per-conversation read-back');
    assert.ok(cost.reportRequests <= 10, `${cost.reportRequests} report requests for 50 recordings`);
    assert.equal(cost.reportDownloads, shared.stats.rounds);
  });

  it('confirms a steady stream of recordings for a flat few report requests, each within seconds', async () => {
    const calls = await finishedCalls(30);
    const shared = confirmer();
    const since = Date.now();
    const waits: number[] = [];
    // About 3.3 recordings a second for 9 seconds: the seed scale's recording rate.
    const uploads = calls.map(async (call, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 300));
      const startedAt = Date.now();
      await uploadActivity(call, shared);
      waits.push(Date.now() - startedAt);
    });
    await Promise.all(uploads);
    const cost = await confirmationCost(since);
    const slowest = Math.max(...waits);
    console.log(
      `      (30 recordings over 9 s confirmed in ${shared.stats.rounds} rounds: ${cost.reportRequests} report requests, ${cost.metadataReads} metadata reads; slowest upload ${slowest} ms)`,
    );
    assert.equal(shared.stats.confirmed, 30);
    assert.equal(cost.metadataReads, 0);
    // Three rounds of burst, then one per 5 s interval, each a POST and a read or two.
    assert.ok(shared.stats.rounds <= 7, `${shared.stats.rounds} rounds`);
    assert.ok(cost.reportRequests <= 3 * shared.stats.rounds);
    assert.ok(slowest < 10_000, `an upload took ${slowest} ms`);
  });

  it('confirms a lone recording within a couple of seconds of its upload, for two API requests', async () => {
    const [call] = await finishedCalls(1);
    const since = Date.now();
    const shared = confirmer();
    await uploadActivity(call!, shared);
    assert.equal(shared.stats.lookups, 0, 'a first attempt looks nothing up');
    const confirmedAt = Date.now();
    const [put] = await requestsTo(sim.simulator, '/__uploads/');
    assert.ok(put);
    const putEndedAt = put.at + put.durationMs;
    assert.ok(confirmedAt - putEndedAt < 2_000, `confirmed ${confirmedAt - putEndedAt} ms after the PUT`);
    assert.deepEqual(await confirmationCost(since), {
      reportRequests: 2,
      reportDownloads: 1,
      metadataReads: 0,
    });
  });

  it('fails retryably as not playable yet when the file never shows as uploaded', async () => {
    // A call whose leg was never injected: its file stays WaitForConversation.
    const call = { conversationId: randomUUID(), communicationId: randomUUID() };
    const startedAt = Date.now();
    const failure = await rejectionOf(
      uploadActivity(call, confirmer({ timeoutMs: 3_000, roundIntervalMs: 1_000 })),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, recordingFailureTypes.notPlayableYet);
    assert.equal(failure.nonRetryable, false);
    assert.ok(Date.now() - startedAt < 10_000);
    const [upload] = await uploadsIn(sim);
    assert.equal(upload?.status, 'WaitForConversation');
    // Each report reaches back only to the one before it: a file that waits long widens none of them.
    const reachesBack = [...sim.simulator.context.state.reports.values()].map((report) =>
      Date.parse(report.dateSince),
    );
    assert.ok(reachesBack.length >= 2, `${reachesBack.length} reports`);
    for (const [index, since] of reachesBack.entries()) {
      if (index > 0) assert.ok(since > reachesBack[index - 1]!, 'each report starts after the one before');
    }
  });

  it('only confirms when retried after the PUT: no second download, upload URL or PUT', async () => {
    const [call] = await finishedCalls(1);
    const heartbeats: unknown[] = [];
    const shared = confirmer();
    const first = await uploadActivity(call!, shared, { onHeartbeat: (details) => heartbeats.push(details) });
    const afterPut = heartbeats.at(-1);
    assert.equal((afterPut as { phase?: string }).phase, 'confirm');
    const since = Date.now();
    // The source is gone: a retry that tried to download again would fail.
    const gone = pathToFileURL(join(folder, 'gone.wav')).href;
    const retried = await uploadActivity(call!, shared, { heartbeatDetails: afterPut, url: gone });
    assert.deepEqual(retried, first);
    // A worker of the earlier version heartbeated no upload time: the activity's scheduling stands in.
    const legacy = await uploadActivity(call!, shared, {
      heartbeatDetails: { phase: 'confirm', md5: first.md5 },
      url: gone,
    });
    assert.deepEqual(legacy, first);
    assert.deepEqual(await requestsTo(sim.simulator, '/api/v2/uploads/recordings').then((r) => r.length), 1);
    assert.equal(
      (await requestsTo(sim.simulator, '/__uploads/')).filter((entry) => entry.at >= since).length,
      0,
    );
    assert.equal((await uploadsIn(sim)).length, 1);
  });

  it('fails for good with Genesys’s reason when Genesys refuses the uploaded file', async () => {
    const [call] = await finishedCalls(1);
    const notAudio = Buffer.from('this is a text file, not a recording');
    const file = join(folder, 'not-audio.wav');
    await writeFile(file, notAudio);
    const failure = await rejectionOf(
      uploadActivity(call!, confirmer(), { file: notAudio, url: pathToFileURL(file).href }),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, recordingFailureTypes.refused);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /not audio\/wav audio/);
  });

  it('rides out a failed report: the next round confirms', async () => {
    const [call] = await finishedCalls(1);
    await setFaults(sim.simulator, {
      rules: [{ path: '/api/v2/recording/uploads/reports', method: 'POST', status: 503, times: 1 }],
    });
    const shared = confirmer({ roundIntervalMs: 500 });
    await uploadActivity(call!, shared);
    assert.equal(shared.stats.failedRounds, 1);
    assert.equal(shared.stats.confirmed, 1);
  });

  describe('a retry that never heartbeated its PUT', () => {
    /** The simulator's requests for upload URLs and its PUTs, counted. */
    async function uploadRequests(): Promise<{ urls: number; puts: number }> {
      return {
        urls: (await requestsTo(sim.simulator, '/api/v2/uploads/recordings')).length,
        puts: (await requestsTo(sim.simulator, '/__uploads/')).length,
      };
    }

    it('does not upload a file whose earlier PUT landed again, and confirms it under the same recording id', async () => {
      const [call] = await finishedCalls(1);
      const shared = confirmer();
      const firstScheduledAt = Date.now();
      const first = await uploadActivity(call!, shared, { scheduledTimestampMs: firstScheduledAt });
      // The worker died after the PUT, before its confirm-phase heartbeat reached the server.
      const retried = await uploadActivity(call!, shared, {
        attempt: 2,
        heartbeatDetails: { phase: 'upload', bytes: wav.length },
        scheduledTimestampMs: firstScheduledAt,
      });
      assert.deepEqual(retried, first);
      assert.deepEqual(await uploadRequests(), { urls: 1, puts: 1 });
      const stored = await uploadsIn(sim);
      assert.deepEqual(
        stored.map((upload) => [upload.fileName, upload.status, upload.recordingId]),
        [[first.fileName, 'Success', first.recordingId]],
      );
      assert.equal(shared.stats.lookups, 1);
    });

    it('uploads a file whose earlier attempt only asked for its URL, and confirms the new upload', async () => {
      const [call] = await finishedCalls(1);
      const shared = confirmer();
      const firstScheduledAt = Date.now();
      // The first attempt got its URL (Pending in Genesys) and died before its PUT landed.
      await createRecordingUploadUrl(client, {
        fileName: `${call!.conversationId}/${call!.communicationId}.wav`,
        contentMd5: md5Base64(wav),
        contentType: 'audio/wav',
      });
      const retried = await uploadActivity(call!, shared, {
        attempt: 2,
        heartbeatDetails: { phase: 'upload', bytes: 0 },
        scheduledTimestampMs: firstScheduledAt,
      });
      assert.deepEqual(await uploadRequests(), { urls: 2, puts: 1 });
      const stored = await uploadsIn(sim);
      const succeeded = stored.filter((upload) => upload.status === 'Success');
      assert.deepEqual(
        stored.map((upload) => upload.status).sort(),
        ['Pending', 'Success'],
        'the abandoned URL stays Pending',
      );
      assert.equal(retried.recordingId, succeeded[0]?.recordingId);
      assert.equal(shared.stats.lookups, 1);
      assert.equal(shared.stats.confirmed, 1);
    });

    it('uploads a file listed with other bytes under its name', async () => {
      const [call] = await finishedCalls(1);
      const shared = confirmer();
      const firstScheduledAt = Date.now();
      const other = toneWav(2);
      const otherFile = join(folder, 'other.wav');
      await writeFile(otherFile, other);
      await uploadActivity(call!, shared, {
        file: other,
        url: pathToFileURL(otherFile).href,
        scheduledTimestampMs: firstScheduledAt,
      });
      await uploadActivity(call!, shared, {
        attempt: 2,
        heartbeatDetails: { phase: 'upload', bytes: 0 },
        scheduledTimestampMs: firstScheduledAt,
      });
      assert.deepEqual(await uploadRequests(), { urls: 2, puts: 2 });
      assert.equal(shared.stats.lookups, 1);
      assert.equal((await uploadsIn(sim)).filter((upload) => upload.status === 'Success').length, 2);
    });

    it('waits out a failed report round before deciding, and gives up when its activity is cancelled', async () => {
      const [call] = await finishedCalls(1);
      const fileName = `${call!.conversationId}/${call!.communicationId}.wav`;
      const shared = confirmer({ roundIntervalMs: 500 });
      const since = Date.now();
      await setFaults(sim.simulator, {
        rules: [{ path: '/api/v2/recording/uploads/reports', method: 'POST', status: 503, times: 1 }],
      });
      assert.equal(await shared.lookup({ fileName, since }), undefined, 'nothing uploaded yet');
      assert.equal(shared.stats.failedRounds, 1);
      await uploadActivity(call!, shared);
      const found = await shared.lookup({ fileName, since });
      assert.equal(found?.status, 'Success');
      const cancelled = new AbortController();
      const looking = shared.lookup({ fileName, since, signal: cancelled.signal });
      cancelled.abort(new Error('activity cancelled'));
      const failure = await rejectionOf(looking);
      assert.ok(failure instanceof Error);
      assert.match(failure.message, /activity cancelled/);
    });

    it('rejects a look-up when Genesys refuses the report for good', async () => {
      const shared = confirmer();
      await setFaults(sim.simulator, {
        rules: [{ path: '/api/v2/recording/uploads/reports', method: 'POST', status: 403 }],
      });
      const failure = await rejectionOf(
        shared.lookup({ fileName: `${randomUUID()}/${randomUUID()}.wav`, since: Date.now() }),
      );
      assert.ok(failure instanceof GenesysApiError);
      assert.equal(failure.status, 403);
    });
  });
});
