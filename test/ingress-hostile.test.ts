import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Agent } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import axios from 'axios';
import pino from 'pino';
import type { FieldErrorCode } from '../domain/events/field-errors';
import type { IngressErrorCode } from '../client/ingress/http';
import { vendorAdapters } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';
import { readCertificate } from '../client/ingress/certificate';
import { signBody, signatureHeaders, startIngress, type Ingress } from '../client/ingress/ingress';
import { readSecretsFile, reloadIngressSecurity } from '../client/ingress/security-reload';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { isoAgo, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';
import { selfSignedCertificate, trustingAgent, type TestCertificate } from './tls-fixtures';

const source = 'acd-hostile';
const token = 'hostile-test-token';
const auth = { authorization: `Bearer ${token}` };

interface Answer {
  error?: string;
  code?: IngressErrorCode;
  refused?: number;
  outcomes?: { outcome: string; errors?: { field: string; message: string; code: FieldErrorCode }[] }[];
}

const agent = (overrides: Record<string, unknown> = {}) => ({
  kind: 'agent',
  source,
  agentId: 'agent-1',
  eventId: randomUUID(),
  occurredAt: isoAgo(2_000),
  change: { kind: 'routingStatus', status: 'Idle' },
  ...overrides,
});
const call = (change: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
  kind: 'conversation',
  source,
  channel: 'voice',
  interactionId: `hostile-${randomUUID()}`,
  eventId: randomUUID(),
  occurredAt: isoAgo(2_000),
  change,
  ...overrides,
});
const email = (change: Record<string, unknown>) => ({ ...call(change), channel: 'email' });
const without = (field: string) => {
  const event: Record<string, unknown> = agent();
  delete event[field];
  return event;
};

/**
 * Bad events, each sent alone and beside a valid one, with the field its refusal must name and that
 * field's reason code.
 */
const badEvents: [string, unknown, string, FieldErrorCode][] = [
  ['no kind', without('kind'), 'kind', 'missing'],
  ['kind is a number', agent({ kind: 7 }), 'kind', 'invalidType'],
  ['unknown kind', agent({ kind: 'robot' }), 'kind', 'invalidValue'],
  ['another source', agent({ source: 'someone-else' }), 'source', 'wrongSource'],
  ['an injection as source', agent({ source: "acd'; DROP TABLE users; --" }), 'source', 'wrongSource'],
  ['no agentId', without('agentId'), 'agentId', 'missing'],
  ['empty agentId', agent({ agentId: '' }), 'agentId', 'outOfRange'],
  ['agentId of 300 characters', agent({ agentId: 'a'.repeat(300) }), 'agentId', 'outOfRange'],
  ['agentId is a number', agent({ agentId: 42 }), 'agentId', 'invalidType'],
  ['no eventId', without('eventId'), 'eventId', 'missing'],
  ['empty eventId', agent({ eventId: '   ' }), 'eventId', 'outOfRange'],
  ['no occurredAt', without('occurredAt'), 'occurredAt', 'missing'],
  ['occurredAt without a zone', agent({ occurredAt: '2026-12-01T10:00:00' }), 'occurredAt', 'invalidFormat'],
  ['occurredAt in words', agent({ occurredAt: 'yesterday' }), 'occurredAt', 'invalidFormat'],
  ['occurredAt an hour ahead', agent({ occurredAt: isoAgo(-3_600_000) }), 'occurredAt', 'inFuture'],
  ['occurredAt 8 days ago', agent({ occurredAt: isoAgo(8 * 86_400_000) }), 'occurredAt', 'tooOld'],
  ['occurredAt as epoch number', agent({ occurredAt: Date.now() }), 'occurredAt', 'invalidType'],
  ['negative sequence', agent({ sequence: -1 }), 'sequence', 'outOfRange'],
  ['fractional sequence', agent({ sequence: 1.5 }), 'sequence', 'invalidType'],
  ['no change', without('change'), 'change', 'missing'],
  ['change is a string', agent({ change: 'Available' }), 'change', 'invalidType'],
  ['unknown change kind', agent({ change: { kind: 'mood', state: 'happy' } }), 'change.kind', 'invalidValue'],
  ['empty presence state', agent({ change: { kind: 'presence', state: '' } }), 'change.state', 'outOfRange'],
  [
    'unknown routing status',
    agent({ change: { kind: 'routingStatus', status: 'Sleeping' } }),
    'change.status',
    'invalidValue',
  ],
  ['no channel', { ...call({ type: 'queued', queueId: 'Sales' }), channel: undefined }, 'channel', 'missing'],
  [
    'fax channel',
    { ...call({ type: 'queued', queueId: 'Sales' }), channel: 'fax' },
    'channel',
    'invalidValue',
  ],
  ['unknown voice step', call({ type: 'teleported' }), 'change.type', 'invalidValue'],
  [
    'no interactionId',
    { ...call({ type: 'queued', queueId: 'Sales' }), interactionId: undefined },
    'interactionId',
    'missing',
  ],
  [
    'recording from a javascript: URL',
    call({ type: 'recordingReady', url: 'javascript:alert(1)', contentType: 'audio/wav', sizeBytes: 10 }),
    'change.url',
    'invalidFormat',
  ],
  [
    'recording of negative size',
    call({
      type: 'recordingReady',
      url: 'https://acd.example/r.wav',
      contentType: 'audio/wav',
      sizeBytes: -5,
    }),
    'change.sizeBytes',
    'outOfRange',
  ],
  [
    'recording with a bad MD5',
    call({
      type: 'recordingReady',
      url: 'https://acd.example/r.wav',
      contentType: 'audio/wav',
      sizeBytes: 5,
      md5: 'abc',
    }),
    'change.md5',
    'invalidFormat',
  ],
  [
    'recording of a video type',
    call({
      type: 'recordingReady',
      url: 'https://acd.example/r.mp4',
      contentType: 'video/mp4',
      sizeBytes: 5,
    }),
    'change.contentType',
    'invalidValue',
  ],
  [
    'email without recipients',
    email({ type: 'received', to: [], from: 'a@example.org' }),
    'change.to',
    'outOfRange',
  ],
  [
    'email from nobody',
    email({ type: 'received', to: ['support@example.com'], from: 'nobody' }),
    'change.from',
    'invalidFormat',
  ],
  [
    'sideways call',
    call({ type: 'started', direction: 'sideways', ani: '1', dnis: '2' }),
    'change.direction',
    'invalidValue',
  ],
  ['null', null, '(event)', 'invalidType'],
  ['an array', [agent()], '(event)', 'invalidType'],
  ['a string', 'agent went to lunch', '(event)', 'invalidType'],
];

describe('the HTTP ingress against hostile input', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  let ingress: Ingress;
  const taskQueue = uniqueTaskQueue('hostile');

  before(async () => {
    sim = await startTestSimulator({ agents: 2, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
    ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 200 },
      }),
      temporal: localEnvironment().client,
      sources: {
        [source]: { tokens: [token], hmacSecrets: ['hostile-secret'], twilioAuthTokens: ['twilio'] },
      },
      adapters: vendorAdapters(),
      maxBodyBytes: 32 * 1024,
      maxBatchEvents: 20,
    });
  });
  after(async () => {
    await ingress.close();
    await bridge.stop();
    await sim.simulator.stop();
  });

  const send = (body: string | Buffer, headers: Record<string, string> = auth, path = '/v1/events') =>
    axios.post<Answer>(`${ingress.url}${path}`, Buffer.from(body), {
      headers: { 'content-type': 'application/json', ...headers },
      validateStatus: () => true,
    });
  const sendForm = (form: string, path: string) =>
    axios.post<Answer>(`${ingress.url}${path}`, form, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      validateStatus: () => true,
    });

  it(`refuses each of ${badEvents.length} bad events by its field and reason code, and accepts the valid event beside it`, async () => {
    for (const [name, event, field, code] of badEvents) {
      const valid = agent();
      const response = await send(JSON.stringify([event, valid]));
      assert.equal(response.status, 202, name);
      const [bad, good] = response.data.outcomes!;
      assert.equal(bad!.outcome, 'refused', name);
      assert.deepEqual(
        [bad!.errors![0]!.field, bad!.errors![0]!.code],
        [field, code],
        `${name}: ${JSON.stringify(bad!.errors)}`,
      );
      assert.ok(
        bad!.errors!.every((error) => error.message.length > 5),
        name,
      );
      assert.equal(good!.outcome, 'accepted', name);
    }
  });

  it(`answers 422 allRefused, with the same field and code, to each of the ${badEvents.length} bad events sent alone`, async () => {
    for (const [name, event, field, code] of badEvents) {
      // Inside an array, so that the bad event `[agent()]` is one event, not a batch of one.
      const response = await send(JSON.stringify([event]));
      assert.equal(response.status, 422, name);
      assert.equal(response.data.code, 'allRefused', name);
      assert.equal(response.data.refused, 1, name);
      assert.match(
        response.data.error!,
        new RegExp(`^all 1 events were refused.*outcomes\\[0\\]: ${field.replace(/[.()]/g, '\\$&')}: `),
        name,
      );
      assert.deepEqual(
        [response.data.outcomes![0]!.errors![0]!.field, response.data.outcomes![0]!.errors![0]!.code],
        [field, code],
        name,
      );
    }
  });

  it('refuses hostile requests whole with a specific answer and reason code', async () => {
    const timestamp = String(Math.floor(Date.now() / 1_000));
    const body = JSON.stringify([agent()]);
    const cases: [string, Promise<{ status: number; data: Answer }>, number, IngressErrorCode, RegExp][] = [
      ['bad JSON', send('{"kind": "agent",'), 400, 'invalidJson', /^body: not valid JSON/],
      ['trailing garbage', send(`${body}]]`), 400, 'invalidJson', /^body: not valid JSON/],
      ['an empty body', send(''), 400, 'invalidJson', /^body: not valid JSON/],
      ['null', send('null'), 400, 'invalidBody', /must be an event, an array of events/],
      ['a number', send('42'), 400, 'invalidBody', /must be an event, an array of events/],
      ['an empty batch', send('[]'), 400, 'emptyBatch', /the batch is empty/],
      [
        '21 events',
        send(JSON.stringify(Array.from({ length: 21 }, () => agent()))),
        413,
        'tooManyEvents',
        /21 events in one request; at most 20/,
      ],
      [
        '40 KiB',
        send(JSON.stringify([agent({ padding: 'x'.repeat(40_000) })])),
        413,
        'bodyTooLarge',
        /larger than 32768 bytes/,
      ],
      [
        'text/plain',
        send(body, { ...auth, 'content-type': 'text/plain' }),
        415,
        'unsupportedMediaType',
        /send JSON/,
      ],
      ['no credentials', send(body, {}), 401, 'missingCredentials', /authenticate with Authorization/],
      [
        'a wrong token',
        send(body, { authorization: 'Bearer guess' }),
        401,
        'unknownCredentials',
        /not one this ingress knows/,
      ],
      [
        'an empty token',
        send(body, { authorization: 'Bearer ' }),
        401,
        'missingCredentials',
        /the bearer token is empty/,
      ],
      [
        'a bad signature',
        send(body, {
          [signatureHeaders.source]: source,
          [signatureHeaders.timestamp]: timestamp,
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
        'invalidSignature',
        /does not match the body/,
      ],
      [
        'an unknown signing source',
        send(body, {
          [signatureHeaders.source]: 'stranger',
          [signatureHeaders.timestamp]: timestamp,
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
        'unknownCredentials',
        /source stranger has no signing secret here/,
      ],
      [
        'a timestamp in words',
        send(body, {
          [signatureHeaders.source]: source,
          [signatureHeaders.timestamp]: 'now',
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
        'staleTimestamp',
        /must be the Unix time in seconds/,
      ],
      [
        'an unsigned Twilio callback',
        sendForm('EventType=task.created', `/v1/adapters/${source}/twilio/taskrouter`),
        401,
        'invalidSignature',
        /must carry X-Twilio-Signature/,
      ],
      [
        'a form to an adapter that takes JSON only',
        sendForm('EventType=STATE_CHANGE', `/v1/adapters/${source}/amazon-connect/agent-events`),
        415,
        'unsupportedMediaType',
        /form callbacks are not accepted at amazon-connect\/agent-events; send JSON, authenticated as acd-hostile/,
      ],
      [
        'another source’s adapter route',
        send(body, auth, '/v1/adapters/other/amazon-connect/agent-events'),
        403,
        'wrongSource',
        /^the route is other's, but the sender is authenticated as acd-hostile$/,
      ],
      [
        'an unknown route',
        send(body, auth, '/v1/admin'),
        404,
        'notFound',
        /^no route POST \/v1\/admin; the routes are: POST \/v1\/events, POST \/v1\/adapters\/<source>\/amazon-connect\/agent-events, .*GET \/healthz, GET \/readyz$/,
      ],
      [
        'an unknown route with a body that is not JSON',
        send('hello', { ...auth, 'content-type': 'text/plain' }, '/v1/eventz'),
        404,
        'notFound',
        /^no route POST \/v1\/eventz; the routes are: /,
      ],
      [
        'a GET of the events route',
        axios.get<Answer>(`${ingress.url}/v1/events`, { validateStatus: () => true }),
        405,
        'methodNotAllowed',
        /^GET \/v1\/events: this path takes POST$/,
      ],
      [
        'a URL that does not decode',
        axios.get<Answer>(`${ingress.url}/v1/%E0%A4%A`, { validateStatus: () => true }),
        400,
        'badRequest',
        /is not a valid url component/,
      ],
    ];
    for (const [name, request, status, code, message] of cases) {
      const response = await request;
      assert.equal(response.status, status, name);
      assert.deepEqual(Object.keys(response.data).sort(), ['code', 'error'], name);
      assert.equal(response.data.code, code, `${name}: ${response.data.error}`);
      assert.match(response.data.error!, message, name);
    }
  });

  it('answers broken HTTP in the same shape before closing the connection', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(ingress.url).port), '127.0.0.1', () => {
        socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.deepEqual(JSON.parse(answer.split('\r\n\r\n')[1]!), {
      error: 'the request is not well-formed HTTP',
      code: 'badRequest',
    });
  });

  it('lets no payload reach the prototype chain, and still serves after all of it', async () => {
    const sneaky = `[{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(agent()).slice(1)}]`;
    const response = await send(sneaky);
    assert.equal(response.status, 202);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual((await axios.get(`${ingress.url}/healthz`)).data, { status: 'ok' });
    assert.equal((await send(JSON.stringify([agent()]))).data.outcomes![0]!.outcome, 'accepted');
  });
});

/** The raw answer of the server at `url` to `request` (which asks it to close) written over TLS as it is, trusting `ca`. */
function rawOverTls(url: string, ca: Buffer, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), ca }, () => socket.write(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** What the server at `url` answers, on a plain TCP socket, to `bytes`: the bytes it sent before closing. */
function rawOverTcp(url: string, bytes: Buffer | string): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(bytes));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A reset while the rest of a large write is on its way is the answer too: nothing.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received)));
  });
}

describe('the HTTPS ingress, its limits and its secrets against hostile input', function () {
  this.timeout(120_000);
  const hmacSecret = 'hostile-https-signing-secret';
  const auditLines: string[] = [];
  let dir: string;
  let certificate: TestCertificate;
  let secretsFile: string;
  let ingress: Ingress;
  let tlsAgent: Agent;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'byoi-hostile-tls-'));
    certificate = await selfSignedCertificate(dir, 'hostile');
    secretsFile = path.join(dir, 'secrets.json');
    await writeFile(
      secretsFile,
      JSON.stringify({
        sources: { [source]: { tokens: [token], hmacSecrets: [hmacSecret] }, crm: { tokens: ['crm-token'] } },
      }),
    );
    ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue: uniqueTaskQueue('hostile-tls'),
        agentSettings: { reorderWindowMs: 100 },
      }),
      temporal: localEnvironment().client,
      sources: await readSecretsFile(secretsFile),
      tls: (await readCertificate({ ...certificate, chainFile: undefined })).context,
      maxBodyBytes: 32 * 1024,
      maxBatchEvents: 20,
      rateLimits: { bySource: { [source]: { count: 4, perMs: 60_000 } }, others: undefined },
      refusalLimit: { count: 6, perMs: 60_000 },
      auditLog: pino({ level: 'info' }, { write: (line: string) => void auditLines.push(line) }),
    });
    tlsAgent = trustingAgent(certificate);
  });
  after(async () => {
    tlsAgent.destroy();
    await ingress.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (body: string, headers: Record<string, string>) =>
    axios.post<Answer>(`${ingress.url}/v1/events`, Buffer.from(body), {
      headers: { 'content-type': 'application/json', ...headers },
      httpsAgent: tlsAgent,
      validateStatus: () => true,
    });
  const audited = () =>
    auditLines.map((line) => JSON.parse(line) as Record<string, string>).filter((line) => line.audit);

  it('answers plain HTTP on its TLS port with nothing at all, a valid request, a megabyte of it or garbage alike, and serves on', async () => {
    const body = JSON.stringify([agent()]);
    const plain = `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const cases: [string, Buffer | string][] = [
      ['a valid request in plain HTTP', plain],
      [
        'a megabyte of plain HTTP',
        `POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n${'x'.repeat(1_048_576)}`,
      ],
      [
        'a TLS record header then garbage',
        Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(64, 0xab)]),
      ],
      // A handshake that never completes is dropped after the ingress's 10 s handshake timeout.
      ['half a TLS record', Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01])],
      ['binary noise', Buffer.from(Array.from({ length: 4_096 }, (_, index) => (index * 151) % 256))],
    ];
    for (const [name, bytes] of cases) {
      const answer = await rawOverTcp(ingress.url, bytes);
      // Nothing in the clear: at most a TLS alert record (content type 21), never an HTTP answer.
      assert.ok(
        answer.length === 0 || answer[0] === 0x15,
        `${name}: ${answer.subarray(0, 40).toString('latin1')}`,
      );
      assert.ok(!answer.toString('latin1').includes('HTTP/1.1'), name);
    }
    assert.equal((await axios.get(`${ingress.url}/healthz`, { httpsAgent: tlsAgent })).status, 200);
  });

  it('refuses hostile headers over TLS with a specific answer, and writes claimed sources into the audit line as data', async () => {
    const body = JSON.stringify([agent()]);
    const timestamp = String(Math.floor(Date.now() / 1_000));
    const before = audited().length;
    const cases: [string, Promise<{ status: number; data: Answer }>, number, IngressErrorCode][] = [
      [
        'an Authorization header of 20 KiB',
        send(body, { authorization: `Bearer ${'A'.repeat(20_480)}` }),
        431,
        'headersTooLarge',
      ],
      [
        'a bearer token of 8 KiB',
        send(body, { authorization: `Bearer ${'B'.repeat(8_192)}` }),
        401,
        'unknownCredentials',
      ],
      [
        'a claimed source that tries to forge the log line',
        send(body, {
          [signatureHeaders.source]: 'x","reason":"ok',
          [signatureHeaders.timestamp]: timestamp,
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
        'unknownCredentials',
      ],
      [
        'a claimed source of 2,000 characters',
        send(body, {
          [signatureHeaders.source]: 's'.repeat(2_000),
          [signatureHeaders.timestamp]: timestamp,
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
        'unknownCredentials',
      ],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await request;
      assert.equal(response.status, status, name);
      assert.equal(response.data.code, code, `${name}: ${response.data.error}`);
    }
    // A header line injected into the source's value is one more header, not a part of the source.
    const injected = await rawOverTls(
      ingress.url,
      certificate.pem,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
        `${signatureHeaders.source}: ${source}\r\nAuthorization: Bearer ${token}\r\n${signatureHeaders.timestamp}: ${timestamp}\r\n` +
        `${signatureHeaders.signature}: sha256=00\r\nConnection: close\r\n\r\n${body}`,
    );
    assert.match(
      injected,
      /^HTTP\/1\.1 202 /,
      `the bearer token authenticates; the extra headers change nothing: ${injected}`,
    );
    const lines = audited().slice(before);
    assert.deepEqual(
      lines.map((line) => [line.reason, line.claimedSource]),
      [
        ['unknownCredentials', undefined],
        ['unknownCredentials', 'x","reason":"ok'],
        ['unknownCredentials', `${'s'.repeat(64)}…`],
      ],
    );
    assert.ok(!auditLines.join('').includes('BBBB'), 'no token in the audit log');
  });

  it('does not let a sender escape its rate limit by the casing of its source, another source’s header or a forwarded address', async () => {
    const body = JSON.stringify([agent()]);
    const signedAs = (claimed: string) => {
      const timestamp = String(Math.floor(Date.now() / 1_000));
      return {
        [signatureHeaders.source]: claimed,
        [signatureHeaders.timestamp]: timestamp,
        [signatureHeaders.signature]: signBody(hmacSecret, timestamp, body),
      };
    };
    // Spends the source's 4 requests a minute (the injected request above spent one).
    let status = 0;
    for (let request = 0; request < 4 && status !== 429; request++) status = (await send(body, auth)).status;
    const cases: [string, Record<string, string>, number, IngressErrorCode, RegExp][] = [
      [
        'its bearer token',
        auth,
        429,
        'rateLimited',
        /^source acd-hostile is over its rate limit of 4 requests a minute; retry after \d+ s$/,
      ],
      ['its signature', signedAs(source), 429, 'rateLimited', /^source acd-hostile is over/],
      [
        'its name in capitals',
        signedAs(source.toUpperCase()),
        401,
        'unknownCredentials',
        /^source ACD-HOSTILE has no signing secret here$/,
      ],
      [
        'its name with a trailing dot',
        signedAs(`${source}.`),
        401,
        'unknownCredentials',
        /^source acd-hostile\. has no signing secret here$/,
      ],
      [
        // HTTP strips the spaces around a header's value: the same source, the same budget.
        'its name with spaces around it',
        signedAs(` ${source} `),
        429,
        'rateLimited',
        /^source acd-hostile is over/,
      ],
      [
        'its token naming another source',
        { ...auth, [signatureHeaders.source]: 'crm' },
        429,
        'rateLimited',
        /^source acd-hostile is over/,
      ],
      [
        'its token from a forwarded address',
        { ...auth, 'x-forwarded-for': '203.0.113.9' },
        429,
        'rateLimited',
        /^source acd-hostile is over/,
      ],
    ];
    for (const [name, headers, expected, code, message] of cases) {
      const response = await send(body, headers);
      assert.equal(response.status, expected, name);
      assert.equal(response.data.code, code, name);
      assert.match(response.data.error!, message, name);
      if (expected === 429) assert.match(String(response.headers['retry-after']), /^\d+$/, name);
    }
    // Another source's budget is its own.
    const crm = await send(JSON.stringify([agent({ source: 'crm' })]), { authorization: 'Bearer crm-token' });
    assert.equal(crm.status, 202);
  });

  it('keeps its secrets when a reload finds a hostile secrets file, naming each problem and no secret', async () => {
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    const secret = 'must-not-be-logged-5150';
    const files: [string, string | Buffer, RegExp][] = [
      ['empty', '', /^not valid JSON$/],
      ['a secret in broken JSON', `{"sources": {"${source}": {"tokens": ["${secret}`, /^not valid JSON$/],
      ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), /^not valid JSON$/],
      ['an array', `["${secret}"]`, /^\(file\): /],
      [
        'a prototype pollution',
        JSON.stringify({ sources: { ['__proto__']: { tokens: [secret] } } }),
        /^sources\.__proto__: not a source name \(a reserved word\)$/,
      ],
      [
        'three tokens',
        JSON.stringify({ sources: { [source]: { tokens: [secret, 'b', 'c'] } } }),
        /^sources\.acd-hostile\.tokens: at most 2/,
      ],
      [
        'an empty token',
        JSON.stringify({ sources: { [source]: { tokens: [''] } } }),
        /^sources\.acd-hostile\.tokens\.0: must not be empty$/,
      ],
      [
        'a source name with a newline',
        JSON.stringify({ sources: { 'acd\nX-Injected: 1': { tokens: [secret] } } }),
        /^sources\.acd\nX-Injected: 1: not a source name/,
      ],
      [
        'an unknown field',
        JSON.stringify({ sources: {}, admin: secret }),
        /^\(file\): Unrecognized key: "admin"$/,
      ],
    ];
    for (const [name, content, problem] of files) {
      await writeFile(secretsFile, content);
      const outcome = await reloadIngressSecurity(ingress, { tls: undefined, secretsFile }, logger);
      assert.equal(outcome.secrets, 'kept', name);
      const line = JSON.parse(logged.at(-1)!) as { problems: string[] };
      assert.match(line.problems[0]!, problem, `${name}: ${line.problems[0]}`);
    }
    assert.ok(!logged.join('').includes(secret), 'no secret in the log');
    assert.equal(({} as Record<string, unknown>).tokens, undefined);
    // The secrets in use are still the ones read at start.
    const crm = await send(JSON.stringify([agent({ source: 'crm' })]), { authorization: 'Bearer crm-token' });
    assert.equal(crm.status, 202);
  });
  // Last: it leaves this address blocked for a minute.
  it('counts refused authentications by the connecting address, whatever X-Forwarded-For says when no proxy is trusted', async () => {
    const body = JSON.stringify([agent()]);
    let status = 0;
    for (let request = 0; request < 10 && status !== 429; request++) {
      status = (
        await send(body, {
          authorization: `Bearer guess-${request}`,
          'x-forwarded-for': `198.51.100.${request}`,
        })
      ).status;
    }
    assert.equal(status, 429);
    for (const forwarded of ['203.0.113.1', '10.0.0.1', '127.0.0.2, 198.51.100.77']) {
      const response = await send(body, { ...auth, 'x-forwarded-for': forwarded });
      assert.equal(response.status, 429, forwarded);
      assert.equal(response.data.code, 'tooManyRefusals', forwarded);
    }
    assert.deepEqual([...new Set(audited().map((line) => line.address))], ['127.0.0.1']);
  });
});
