import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  recordingFailureTypes,
  uploadRecordingFile,
  type RecordingToUpload,
} from '../activities/conversations/recording';
import { RecordingSources } from '../activities/conversations/recording-source';
import type { GenesysClient } from '../activities/genesys/client';
import { EventPublisher } from '../activities/genesys/publisher';
import { RecordingConfirmer } from '../activities/genesys/recording-confirmer';
import { ConfigError, loadConfig } from '../config';
import { genesysLimits } from '../domain/genesys';
import {
  clientFor,
  finishedCall,
  inspect,
  md5Base64,
  rejectionOf,
  startTestSimulator,
  toneWav,
  type TestSimulator,
} from './genesys-fixtures';
import { startVendorMediaHost, type VendorMediaHost } from './vendor-media-host';

/** A request as a local media host saw it. */
interface Seen {
  path: string;
  authorization: string | undefined;
}

/** A loopback HTTP server answering with `handle`, noting every request's path and Authorization header. */
async function mediaHost(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    seen.push({ path: request.url ?? '/', authorization: request.headers.authorization });
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const signal = () => new AbortController().signal;
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Opens `url` for `source` and reads it whole. */
async function fetched(sources: RecordingSources, source: string, url: string): Promise<string> {
  const opened = await sources.open(source, url, signal());
  return text(opened.body);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await rejectionOf(promise);
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

describe('reaching recordings with each source’s access', function () {
  this.timeout(60_000);
  const recording = 'RIFF, then a call in WAV';
  const credentials = { username: 'AC0123456789abcdef0123456789abcdef', password: 'auth-token-of-the-test' };
  let media: Awaited<ReturnType<typeof mediaHost>>;
  let elsewhere: Awaited<ReturnType<typeof mediaHost>>;
  let sources: RecordingSources;

  before(async () => {
    // Another origin: what a media host redirects to (a presigned URL, say), served without credentials.
    elsewhere = await mediaHost((_request, response) => response.end(recording));
    media = await mediaHost((request, response) => {
      if (request.url === '/redirected.wav') {
        response.writeHead(302, { location: `${elsewhere.origin}/signed.wav` }).end();
      } else if (request.headers.authorization !== basic(credentials.username, credentials.password)) {
        response.writeHead(401).end();
      } else response.end(recording);
    });
    sources = new RecordingSources({
      origins: { twilio: [media.origin], locked: [media.origin] },
      credentials: { twilio: credentials },
    });
  });
  after(async () => {
    await media.close();
    await elsewhere.close();
  });
  beforeEach(() => {
    media.seen.length = 0;
    elsewhere.seen.length = 0;
  });

  it('sends a source’s HTTP Basic credentials to its origin, which serves the file', async () => {
    assert.equal(await fetched(sources, 'twilio', `${media.origin}/recordings/RE1.wav`), recording);
    assert.deepEqual(media.seen, [
      {
        path: '/recordings/RE1.wav',
        authorization: basic(credentials.username, credentials.password),
      },
    ]);
  });

  it('sends no credentials for a source without any, and fails for good when the host demands them', async () => {
    for (const source of ['locked', 'anywhere']) {
      const failure = await failureOf(fetched(sources, source, `${media.origin}/recordings/RE2.wav`));
      assert.equal(failure.type, recordingFailureTypes.sourceUnavailable);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /answered 401/);
    }
    assert.equal(media.seen.length, 2);
    assert.ok(
      media.seen.every((request) => request.authorization === undefined),
      'the host never saw credentials',
    );
  });

  it('drops the credentials when its origin redirects to another one', async () => {
    assert.equal(await fetched(sources, 'twilio', `${media.origin}/redirected.wav`), recording);
    assert.equal(media.seen[0]?.authorization, basic(credentials.username, credentials.password));
    assert.deepEqual(elsewhere.seen, [{ path: '/signed.wav', authorization: undefined }]);
  });

  it('refuses for good a URL outside its source’s origins, naming that origin, without a request', async () => {
    for (const url of [`${elsewhere.origin}/recordings/RE3.wav`, 'file:///etc/passwd']) {
      const failure = await failureOf(fetched(sources, 'twilio', url));
      assert.equal(failure.type, recordingFailureTypes.sourceNotAllowed);
      assert.equal(failure.nonRetryable, true);
      const origin = url.startsWith('file:') ? 'file://' : elsewhere.origin;
      assert.match(failure.message, new RegExp(`points to ${origin}, which is not among its origins`));
      assert.doesNotMatch(failure.message, new RegExp(credentials.password));
    }
    assert.equal(elsewhere.seen.length, 0);
    // A source with no origins listed may point anywhere, as before (and gets no credentials).
    assert.equal(await fetched(sources, 'anywhere', `${elsewhere.origin}/recordings/RE3.wav`), recording);
  });

  describe('from S3', () => {
    const key = {
      accessKeyId: 'AKIATESTRECORDINGS01',
      secretAccessKey: 'test-secret-access-key',
      region: 'eu-west-2',
    };
    const bucket = 'amazon-connect-0123456789ab';
    const objectKey = 'connect/instance/CallRecordings/2026/12/03/contact-1_20261203T06:50_UTC.wav';
    let host: VendorMediaHost;

    before(async () => {
      host = await startVendorMediaHost({
        s3: key,
        twilio: { accountSid: 'AC-unused', authToken: 'unused' },
      });
      host.putObject(bucket, objectKey, Buffer.from(recording));
    });
    after(() => host.close());

    const s3Sources = (secretAccessKey = key.secretAccessKey) =>
      new RecordingSources({
        origins: { connect: [`s3://${bucket}`] },
        s3: {
          region: key.region,
          endpoint: host.url,
          credentials: { accessKeyId: key.accessKeyId, secretAccessKey },
        },
      });

    it('gets an s3:// object path-style with a valid SigV4 signature of the configured key', async () => {
      const connect = s3Sources();
      try {
        const url = `s3://${bucket}/${objectKey}`;
        const opened = await connect.open('connect', url, signal());
        assert.equal(opened.sizeBytes, recording.length, 'S3 tells the length up front');
        assert.equal(await text(opened.body), recording);
        assert.deepEqual(host.served, [`/${bucket}/${objectKey.replace(/:/g, '%3A')}`]);
        assert.deepEqual(host.refused, []);
      } finally {
        connect.close();
      }
    });

    it('fails for good when S3 refuses the signature or has no such key', async () => {
      const forged = s3Sources('not-the-secret');
      const connect = s3Sources();
      try {
        const refused = await failureOf(forged.open('connect', `s3://${bucket}/${objectKey}`, signal()));
        assert.equal(refused.type, recordingFailureTypes.sourceUnavailable);
        assert.equal(refused.nonRetryable, true);
        assert.match(refused.message, /answered 403 AccessDenied/);
        assert.match(host.refused.at(-1)?.reason ?? '', /signature does not match/);
        const missing = await failureOf(connect.open('connect', `s3://${bucket}/gone.wav`, signal()));
        assert.equal(missing.nonRetryable, true);
        assert.match(missing.message, new RegExp(`s3://${bucket}/gone.wav answered 404 NoSuchKey`));
        assert.doesNotMatch(`${refused.message}${missing.message}`, /not-the-secret|test-secret-access-key/);
      } finally {
        forged.close();
        connect.close();
      }
    });

    it('retries a throttled or failing S3', async () => {
      const statuses = [503, 500];
      const busy = await mediaHost((_request, response) => {
        const status = statuses.shift() ?? 500;
        const code = status === 503 ? 'SlowDown' : 'InternalError';
        response
          .writeHead(status, { 'content-type': 'application/xml' })
          .end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>try again</Message></Error>`);
      });
      const connect = new RecordingSources({
        s3: {
          region: key.region,
          endpoint: busy.origin,
          credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' },
        },
      });
      try {
        for (const code of ['503 SlowDown', '500 InternalError']) {
          const failure = await failureOf(connect.open('connect', `s3://${bucket}/${objectKey}`, signal()));
          assert.equal(failure.type, recordingFailureTypes.sourceUnavailable);
          assert.equal(failure.nonRetryable, false, `${code} is retried`);
          assert.match(failure.message, new RegExp(`answered ${code}`));
        }
        assert.equal(busy.seen.length, 2, 'one request each: Temporal retries, not the SDK');
      } finally {
        connect.close();
        await busy.close();
      }
    });
  });
});

describe('uploading a recording that announced no size', function () {
  this.timeout(60_000);
  let sim: TestSimulator;
  let client: GenesysClient;
  let confirmer: RecordingConfirmer;
  let spoolDir: string;
  let source: Awaited<ReturnType<typeof mediaHost>>;
  const wav = toneWav(2);

  before(async () => {
    sim = await startTestSimulator({ agents: 1 });
    client = clientFor(sim.simulator);
    confirmer = new RecordingConfirmer(client);
    spoolDir = await mkdtemp(join(tmpdir(), 'recording-sources-'));
    // Chunked: the source tells no length up front, as a streaming media host may not.
    source = await mediaHost((_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      Readable.from([wav.subarray(0, 30_000), wav.subarray(30_000)]).pipe(response);
    });
  });
  after(async () => {
    client.close();
    await sim.simulator.stop();
    await source.close();
    await rm(spoolDir, { recursive: true, force: true });
  });

  async function upload(call: { conversationId: string; communicationId: string }, maxBytes?: number) {
    const recording: RecordingToUpload = {
      ...call,
      source: 'acd',
      url: `${source.origin}/call.wav`,
      contentType: 'audio/wav',
    };
    const environment = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() });
    return uploadRecordingFile(client, recording, environment.context, {
      confirmer,
      spoolDir,
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });
  }

  it('uploads it with the size and MD5 it turned out to have', async () => {
    const publisher = new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 });
    const call = await finishedCall(publisher);
    const uploaded = await upload(call);
    assert.equal(uploaded.sizeBytes, wav.length);
    assert.equal(uploaded.md5, md5Base64(wav));
    const [stored] = await inspect<{ uploadKey: string; sizeBytes: number; status: string }[]>(
      sim.simulator,
      'recordings',
    );
    assert.equal(stored?.status, 'Success');
    assert.equal(stored?.sizeBytes, wav.length);
    const bytes = await readFile(join(sim.simulator.context.uploadDir, stored.uploadKey));
    assert.equal(createHash('md5').update(bytes).digest('base64'), md5Base64(wav));
  });

  it('refuses for good a file over the upload limit, naming the limit, before asking Genesys for a URL', async () => {
    const uploadsBefore = (await inspect<unknown[]>(sim.simulator, 'recordings')).length;
    const call = { conversationId: 'c-too-large', communicationId: 'm-too-large' };
    const streamed = await failureOf(upload(call, wav.length - 1));
    assert.equal(streamed.type, recordingFailureTypes.tooLarge);
    assert.equal(streamed.nonRetryable, true);
    assert.match(streamed.message, new RegExp(`upload limit of ${wav.length - 1} bytes`));
    const uploadsAfter = (await inspect<unknown[]>(sim.simulator, 'recordings')).length;
    assert.equal(uploadsAfter, uploadsBefore, 'no upload URL was asked for');
  });

  it('refuses for good an empty file, as a recording the source has lost', async () => {
    const empty = await mediaHost((_request, response) => response.end());
    try {
      const recording: RecordingToUpload = {
        source: 'acd',
        conversationId: 'c-empty',
        communicationId: 'm-empty',
        url: `${empty.origin}/empty.wav`,
        contentType: 'audio/wav',
      };
      const environment = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() });
      const failure = await failureOf(
        uploadRecordingFile(client, recording, environment.context, { confirmer, spoolDir }),
      );
      assert.equal(failure.type, recordingFailureTypes.mismatch);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /the source served an empty file/);
    } finally {
      await empty.close();
    }
  });

  it('refuses a source that says up front the file exceeds Genesys’s limit, without reading it', async () => {
    const huge = await mediaHost((_request, response) => {
      response.writeHead(200, { 'content-length': String(genesysLimits.maxUploadBytes + 1) });
      response.write(Buffer.alloc(1_024));
      // Never ends: only a refusal on the announced length lets this test finish.
    });
    try {
      const recording: RecordingToUpload = {
        source: 'acd',
        conversationId: 'c-huge',
        communicationId: 'm-huge',
        url: `${huge.origin}/huge.wav`,
        contentType: 'audio/wav',
      };
      const environment = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() });
      const failure = await failureOf(
        uploadRecordingFile(client, recording, environment.context, { confirmer, spoolDir }),
      );
      assert.equal(failure.type, recordingFailureTypes.tooLarge);
      assert.match(failure.message, new RegExp(`upload limit of ${genesysLimits.maxUploadBytes} bytes`));
    } finally {
      await huge.close();
    }
  });
});

describe('recording settings in the configuration', () => {
  it('reads each source’s origins, credentials and expectation', () => {
    const config = loadConfig({
      BYOI_RECORDING_ORIGINS:
        'twilio:https://api.twilio.com,connect:s3://amazon-connect-1234,twilio:http://127.0.0.1:9000',
      BYOI_RECORDING_CREDENTIALS: 'twilio:AC123:token:with:colons',
      BYOI_EXPECT_RECORDINGS: 'crm:never,connect:always',
      BYOI_S3_REGION: 'eu-west-2',
      BYOI_S3_ENDPOINT: 'http://127.0.0.1:9000/',
    });
    assert.deepEqual(config.recordings, {
      origins: {
        twilio: ['https://api.twilio.com', 'http://127.0.0.1:9000'],
        connect: ['s3://amazon-connect-1234'],
      },
      credentials: { twilio: { username: 'AC123', password: 'token:with:colons' } },
      expect: { crm: 'never', connect: 'always' },
      s3: { region: 'eu-west-2', endpoint: 'http://127.0.0.1:9000' },
    });
  });

  it('refuses credentials that could go astray, and every malformed entry, without echoing a secret', () => {
    const problemsOf = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems;
      }
      assert.fail('the configuration was taken');
    };
    const astray = problemsOf({
      BYOI_RECORDING_ORIGINS: 'twilio:http://media.example.com',
      BYOI_RECORDING_CREDENTIALS: 'twilio:AC1:s3cr3t-one,other:AC2:s3cr3t-two',
    });
    assert.deepEqual(astray, [
      "BYOI_RECORDING_CREDENTIALS: source twilio's origin http://media.example.com is plain HTTP off this machine: its credentials would cross the network in the clear",
      'BYOI_RECORDING_CREDENTIALS: source other has credentials but no origins in BYOI_RECORDING_ORIGINS to send them to',
    ]);
    const malformed = problemsOf({
      BYOI_RECORDING_ORIGINS: 'twilio:https://api.twilio.com/2010-04-01,ftp-source:ftp://host',
      BYOI_RECORDING_CREDENTIALS: 'twilio:no-password-s3cr3t',
      BYOI_EXPECT_RECORDINGS: 'crm:sometimes,crm:never,crm:always',
    });
    assert.equal(malformed.length, 5, malformed.join('\n'));
    assert.match(
      malformed.join('\n'),
      /BYOI_RECORDING_CREDENTIALS: entry 1: must be source:username:password/,
    );
    assert.match(malformed.join('\n'), /"crm:always": names crm a second time/);
    assert.doesNotMatch([...astray, ...malformed].join('\n'), /s3cr3t/);
  });
});
