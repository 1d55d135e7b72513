import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { vendorAdapters } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';
import { signatureHeaders, startIngress, type Ingress } from '../client/ingress/ingress';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { isoAgo, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';

const source = 'acd-hostile';
const token = 'hostile-test-token';
const auth = { authorization: `Bearer ${token}` };

interface Answer {
  error?: string;
  outcomes?: { outcome: string; errors?: { field: string; message: string }[] }[];
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

/** Bad events, each sent in a batch beside a valid one, and the field its refusal must name. */
const badEvents: [string, unknown, string][] = [
  ['no kind', without('kind'), 'kind'],
  ['kind is a number', agent({ kind: 7 }), 'kind'],
  ['unknown kind', agent({ kind: 'robot' }), 'kind'],
  ['another source', agent({ source: 'someone-else' }), 'source'],
  ['an injection as source', agent({ source: "acd'; DROP TABLE users; --" }), 'source'],
  ['no agentId', without('agentId'), 'agentId'],
  ['empty agentId', agent({ agentId: '' }), 'agentId'],
  ['agentId of 300 characters', agent({ agentId: 'a'.repeat(300) }), 'agentId'],
  ['agentId is a number', agent({ agentId: 42 }), 'agentId'],
  ['no eventId', without('eventId'), 'eventId'],
  ['empty eventId', agent({ eventId: '   ' }), 'eventId'],
  ['no occurredAt', without('occurredAt'), 'occurredAt'],
  ['occurredAt without a zone', agent({ occurredAt: '2026-12-01T10:00:00' }), 'occurredAt'],
  ['occurredAt in words', agent({ occurredAt: 'yesterday' }), 'occurredAt'],
  ['occurredAt an hour ahead', agent({ occurredAt: isoAgo(-3_600_000) }), 'occurredAt'],
  ['occurredAt 8 days ago', agent({ occurredAt: isoAgo(8 * 86_400_000) }), 'occurredAt'],
  ['occurredAt as epoch number', agent({ occurredAt: Date.now() }), 'occurredAt'],
  ['negative sequence', agent({ sequence: -1 }), 'sequence'],
  ['fractional sequence', agent({ sequence: 1.5 }), 'sequence'],
  ['no change', without('change'), 'change'],
  ['change is a string', agent({ change: 'Available' }), 'change'],
  ['unknown change kind', agent({ change: { kind: 'mood', state: 'happy' } }), 'change.kind'],
  ['empty presence state', agent({ change: { kind: 'presence', state: '' } }), 'change.state'],
  [
    'unknown routing status',
    agent({ change: { kind: 'routingStatus', status: 'Sleeping' } }),
    'change.status',
  ],
  ['no channel', { ...call({ type: 'queued', queueId: 'Sales' }), channel: undefined }, 'channel'],
  ['fax channel', { ...call({ type: 'queued', queueId: 'Sales' }), channel: 'fax' }, 'channel'],
  ['unknown voice step', call({ type: 'teleported' }), 'change.type'],
  [
    'no interactionId',
    { ...call({ type: 'queued', queueId: 'Sales' }), interactionId: undefined },
    'interactionId',
  ],
  [
    'recording from a javascript: URL',
    call({ type: 'recordingReady', url: 'javascript:alert(1)', contentType: 'audio/wav', sizeBytes: 10 }),
    'change.url',
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
  ],
  ['email without recipients', email({ type: 'received', to: [], from: 'a@example.org' }), 'change.to'],
  [
    'email from nobody',
    email({ type: 'received', to: ['support@example.com'], from: 'nobody' }),
    'change.from',
  ],
  [
    'sideways call',
    call({ type: 'started', direction: 'sideways', ani: '1', dnis: '2' }),
    'change.direction',
  ],
  ['null', null, '(event)'],
  ['an array', [agent()], '(event)'],
  ['a string', 'agent went to lunch', '(event)'],
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

  it(`refuses each of ${badEvents.length} bad events by its field, and accepts the valid event beside it`, async () => {
    for (const [name, event, field] of badEvents) {
      const valid = agent();
      const response = await send(JSON.stringify([event, valid]));
      assert.equal(response.status, 202, name);
      const [bad, good] = response.data.outcomes!;
      assert.equal(bad!.outcome, 'refused', name);
      assert.equal(bad!.errors![0]!.field, field, `${name}: ${JSON.stringify(bad!.errors)}`);
      assert.ok(
        bad!.errors!.every((error) => error.message.length > 5),
        name,
      );
      assert.equal(good!.outcome, 'accepted', name);
    }
  });

  it('refuses hostile requests whole with a specific answer', async () => {
    const timestamp = String(Math.floor(Date.now() / 1_000));
    const body = JSON.stringify([agent()]);
    const cases: [string, Promise<{ status: number; data: Answer }>, number, RegExp][] = [
      ['bad JSON', send('{"kind": "agent",'), 400, /^body: not valid JSON/],
      ['trailing garbage', send(`${body}]]`), 400, /^body: not valid JSON/],
      ['an empty body', send(''), 400, /^body: not valid JSON/],
      ['null', send('null'), 400, /must be an event, an array of events/],
      ['a number', send('42'), 400, /must be an event, an array of events/],
      ['an empty batch', send('[]'), 400, /the batch is empty/],
      [
        '21 events',
        send(JSON.stringify(Array.from({ length: 21 }, () => agent()))),
        413,
        /21 events in one request; at most 20/,
      ],
      [
        '40 KiB',
        send(JSON.stringify([agent({ padding: 'x'.repeat(40_000) })])),
        413,
        /larger than 32768 bytes/,
      ],
      ['text/plain', send(body, { ...auth, 'content-type': 'text/plain' }), 415, /send JSON/],
      ['no credentials', send(body, {}), 401, /authenticate with Authorization/],
      ['a wrong token', send(body, { authorization: 'Bearer guess' }), 401, /not one this ingress knows/],
      ['an empty token', send(body, { authorization: 'Bearer ' }), 401, /the bearer token is empty/],
      [
        'a bad signature',
        send(body, {
          [signatureHeaders.source]: source,
          [signatureHeaders.timestamp]: timestamp,
          [signatureHeaders.signature]: 'sha256=00',
        }),
        401,
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
        /must be the Unix time in seconds/,
      ],
      [
        'an unsigned Twilio callback',
        axios.post<Answer>(
          `${ingress.url}/v1/adapters/${source}/twilio/taskrouter`,
          'EventType=task.created',
          {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            validateStatus: () => true,
          },
        ),
        401,
        /must carry X-Twilio-Signature/,
      ],
      [
        'another source’s adapter route',
        send(body, auth, '/v1/adapters/other/amazon-connect/agent-events'),
        401,
        /not other's/,
      ],
      ['an unknown route', send(body, auth, '/v1/admin'), 404, /not found/i],
    ];
    for (const [name, request, status, message] of cases) {
      const response = await request;
      assert.equal(response.status, status, name);
      assert.match(response.data.error ?? JSON.stringify(response.data), message, name);
    }
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
