import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { vendorAdapters } from '../client/ingress/adapters';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import { ingressErrorCodes, type IngressErrorCode } from '../client/ingress/http';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { BridgeClient } from '../client/library/bridge-client';
import { fieldErrorCodes, type FieldErrorCode } from '../domain/events/field-errors';
import { projectRoot } from '../tools/stack/toolchain';
import { isoAgo } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';
import { amazonConnectAgentAvailable } from './vendor-call-payloads';

const source = 'acd-answers';
const token = 'answers-test-token';
const twilioToken = 'answers-test-twilio-auth-token';

interface FieldErrorAnswer {
  field: string;
  message: string;
  code: FieldErrorCode;
}

interface Answer {
  error?: string;
  code?: IngressErrorCode;
  accepted: number;
  refused: number;
  conversationFinished: number;
  records?: ({ record: number } & (
    { events: number } | { ignored: string } | { refused: FieldErrorAnswer[] }
  ))[];
  outcomes: { index: number; outcome: string; errors?: FieldErrorAnswer[] }[];
}

const presence = (overrides: Record<string, unknown> = {}) => ({
  kind: 'agent',
  source,
  agentId: 'agent-1',
  eventId: randomUUID(),
  occurredAt: isoAgo(2_000),
  change: { kind: 'presence', state: 'Available' },
  ...overrides,
});

const connectRecord = (overrides: Record<string, unknown> = {}) =>
  amazonConnectAgentAvailable('agent-1', overrides);
const heartbeat = () => connectRecord({ EventType: 'HEART_BEAT' });

describe('what the ingress answers a batch', function () {
  this.timeout(60_000);
  let ingress: Ingress;

  before(async () => {
    // No worker: what is accepted waits in Temporal, which is all a 202 promises.
    ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue: uniqueTaskQueue('answers'),
        agentSettings: { reorderWindowMs: 100 },
      }),
      temporal: localEnvironment().client,
      sources: { [source]: { tokens: [token], twilioAuthTokens: [twilioToken] } },
      adapters: vendorAdapters(),
    });
  });
  after(() => ingress.close());

  const post = (body: unknown, route = '/v1/events') =>
    axios.post<Answer>(`${ingress.url}${route}`, body, {
      headers: { authorization: `Bearer ${token}` },
      validateStatus: () => true,
    });
  const connect = (records: unknown[]) =>
    post({ Records: records }, `/v1/adapters/${source}/amazon-connect/agent-events`);

  it('answers 422 allRefused with every event’s field errors and codes when a batch is all refused', async () => {
    const { agentId: _dropped, ...noAgent } = presence();
    const response = await post([
      noAgent,
      presence({ occurredAt: isoAgo(-3_600_000) }),
      presence({ change: { kind: 'routingStatus', status: 'Sleeping' } }),
    ]);
    assert.equal(response.status, 422);
    assert.equal(response.data.code, 'allRefused');
    assert.match(
      response.data.error!,
      /^all 3 events were refused, nothing was taken; the first, outcomes\[0\]: agentId: /,
    );
    assert.deepEqual(
      { accepted: response.data.accepted, refused: response.data.refused },
      { accepted: 0, refused: 3 },
    );
    assert.deepEqual(
      response.data.outcomes.map((outcome) => [
        outcome.outcome,
        outcome.errors?.[0]?.field,
        outcome.errors?.[0]?.code,
      ]),
      [
        ['refused', 'agentId', 'missing'],
        ['refused', 'occurredAt', 'inFuture'],
        ['refused', 'change.status', 'invalidValue'],
      ],
    );
  });

  it('answers 202 to a batch that mixes refused events with one that is taken', async () => {
    const response = await post([presence({ agentId: '' }), presence(), presence({ kind: 'robot' })]);
    assert.equal(response.status, 202);
    assert.equal(response.data.error, undefined);
    assert.equal(response.data.code, undefined);
    assert.deepEqual(
      response.data.outcomes.map((outcome) => outcome.outcome),
      ['refused', 'accepted', 'refused'],
    );
  });

  it('answers 202 to adapter records that are all ignored by name: a heartbeat is handled, not refused', async () => {
    const response = await connect([heartbeat(), heartbeat()]);
    assert.equal(response.status, 202, JSON.stringify(response.data));
    assert.equal(response.data.accepted, 0);
    assert.deepEqual(
      response.data.records!.map((record) => 'ignored' in record),
      [true, true],
    );
  });

  it('answers 422 to adapter records that are all refused, naming the first record’s field, and 202 once one is ignored beside them', async () => {
    const refused = await connect([{ EventType: 'STATE_CHANGE' }, 42]);
    assert.equal(refused.status, 422, JSON.stringify(refused.data));
    assert.equal(refused.data.code, 'allRefused');
    assert.match(
      refused.data.error!,
      /^all 2 records were refused, nothing was taken; the first, records\[0\]: \w+/,
    );
    for (const record of refused.data.records!) {
      assert.ok('refused' in record, JSON.stringify(record));
      assert.ok(
        record.refused.every((error) => fieldErrorCodes.includes(error.code)),
        JSON.stringify(record),
      );
    }
    assert.deepEqual(refused.data.outcomes, []);

    const beside = await connect([{ EventType: 'STATE_CHANGE' }, heartbeat()]);
    assert.equal(beside.status, 202, JSON.stringify(beside.data));
    assert.deepEqual(
      beside.data.records!.map((record) => Object.keys(record).sort()),
      [
        ['record', 'refused'],
        ['ignored', 'record'],
      ],
    );
  });

  it('answers 422 when an adapter’s records become events the bridge refuses, with the events’ codes', async () => {
    const response = await connect([connectRecord({ EventTimestamp: isoAgo(8 * 86_400_000) })]);
    assert.equal(response.status, 422, JSON.stringify(response.data));
    assert.equal(response.data.code, 'allRefused');
    assert.match(
      response.data.error!,
      /^all \d events were refused, nothing was taken; the first, outcomes\[0\]: occurredAt: /,
    );
    assert.ok(response.data.outcomes.length > 0);
    for (const outcome of response.data.outcomes) {
      assert.deepEqual([outcome.outcome, outcome.errors?.[0]?.code], ['refused', 'tooOld']);
    }
  });

  it('answers a signed Twilio callback it cannot place 422, naming the missing field', async () => {
    const url = `${ingress.url}/v1/adapters/${source}/twilio/taskrouter`;
    const callback = {
      EventType: 'worker.activity.update',
      Sid: `EV${randomUUID().replace(/-/g, '')}`,
      Timestamp: String(Math.floor(Date.now() / 1_000)),
      WorkerActivityName: 'Break',
    };
    const response = await axios.post<Answer>(url, new URLSearchParams(callback).toString(), {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(twilioToken, url, callback),
      },
      validateStatus: () => true,
    });
    assert.equal(response.status, 422, JSON.stringify(response.data));
    assert.equal(response.data.code, 'allRefused');
    assert.match(response.data.error!, /records\[0\]: WorkerName: /);
  });

  it('documents every reason code it answers with in docs/ingress.md', () => {
    const page = readFileSync(path.join(projectRoot, 'docs', 'ingress.md'), 'utf8');
    assert.deepEqual(
      ingressErrorCodes.filter((code) => !page.includes(`\`${code}\``)),
      [],
    );
  });
});
