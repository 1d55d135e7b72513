import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios, { type AxiosResponse } from 'axios';
import { vendorAdapters } from '../client/ingress/adapters';
import type { directorySyncWorkflow } from '../workflows';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import { BridgeClient } from '../client/library/bridge-client';
import { fileDirectoryIntake } from '../client/ingress/directory-intake';
import { contactCentreDirectory } from '../tools/load/contact-centre';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startIngress, signBody, signatureHeaders, type Ingress } from '../client/ingress/ingress';
import type { TimelineEntry } from '../simulator/state';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { untilAgent } from './agent-fixtures';
import { answeredCall } from './conversation-fixtures';
import { inspect, isoAgo, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, startDevServer, uniqueTaskQueue } from './harness';
import { exited, workerProcess } from './processes';
import { amazonConnectAgentAvailable } from './vendor-call-payloads';

const source = 'acd-ingress';
const token = 'ingress-test-token';
const secret = 'ingress-test-signing-secret';
const twilioToken = 'ingress-test-twilio-auth-token';

interface IngressAnswer {
  accepted: number;
  duplicate: number;
  refused: number;
  conversationFinished: number;
  unavailable: number;
  outcomes: {
    index: number;
    eventId?: string;
    outcome: string;
    errors?: { field: string; message: string; code: string }[];
  }[];
  error?: string;
  code?: string;
}

function post(
  ingress: Ingress,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
) {
  return axios.post<IngressAnswer>(
    `${ingress.url}/v1/events`,
    Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    {
      headers: { 'content-type': 'application/json', ...headers },
      validateStatus: () => true,
    },
  );
}

const presence = (agentId: string, state: string, ageMs = 5_000) => ({
  kind: 'agent',
  source,
  agentId,
  eventId: randomUUID(),
  occurredAt: isoAgo(ageMs),
  change: { kind: 'presence', state },
});

describe('the HTTP ingress', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  let ingress: Ingress;
  let snapshotDir: string;
  const taskQueue = uniqueTaskQueue('ingress');

  before(async () => {
    snapshotDir = await mkdtemp(path.join(tmpdir(), 'byoi-snapshots-'));
    sim = await startTestSimulator({ agents: 3, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
    ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 300 },
        conversationSettings: { reorderWindowMs: 300, wrapUpWaitMs: 1_000, expectRecording: 'never' },
      }),
      temporal: localEnvironment().client,
      sources: { [source]: { tokens: [token], hmacSecrets: [secret], twilioAuthTokens: [twilioToken] } },
      adapters: vendorAdapters(),
      directory: fileDirectoryIntake(snapshotDir, localEnvironment().client, taskQueue),
      maxBodyBytes: 64 * 1024,
      maxBatchEvents: 50,
    });
  });
  after(async () => {
    await ingress.close();
    await bridge.stop();
    await sim.simulator.stop();
    await rm(snapshotDir, { recursive: true, force: true });
  });

  async function timeline(agentId: string): Promise<TimelineEntry[]> {
    const user = sim.agents.find((candidate) => candidate.externalIds[0]?.externalKey === agentId)!;
    return (await inspect<{ presence: TimelineEntry[] }>(sim.simulator, `users/${user.id}/timeline`))
      .presence;
  }

  it('accepts the valid events of a batch and refuses each bad one, naming the field and why', async () => {
    const good = [presence('agent-1', 'Available', 6_000), presence('agent-1', 'Break', 5_000)];
    const call = answeredCall(source, 'agent-2', 'Sales').map((event) => ({
      kind: 'conversation',
      ...event,
    }));
    const { agentId: _dropped, ...noAgent } = presence('agent-1', 'Lunch');
    const batch = [
      good[0],
      { ...noAgent },
      { ...presence('agent-1', 'Away'), kind: 'robot' },
      good[1],
      { ...presence('agent-1', 'Away'), occurredAt: isoAgo(-10 * 60_000) },
      { ...presence('agent-1', 'Away'), occurredAt: isoAgo(8 * 24 * 3_600_000) },
      { ...presence('agent-1', 'Away'), source: 'someone-else' },
      { ...call[1]!, change: { type: 'teleported' } },
      42,
      ...call,
    ];
    const response = await post(ingress, batch);
    assert.equal(response.status, 202);
    const { outcomes } = response.data;
    assert.deepEqual(
      outcomes.map((outcome) => outcome.outcome),
      [
        'accepted',
        'refused',
        'refused',
        'accepted',
        'refused',
        'refused',
        'refused',
        'refused',
        'refused',
        ...call.map(() => 'accepted'),
      ],
    );
    const errorsAt = (index: number) =>
      outcomes[index]!.errors!.map((error) => `${error.field}: ${error.message}`);
    assert.match(errorsAt(1)[0]!, /^agentId: /);
    assert.deepEqual(errorsAt(2), ['kind: must be "agent" or "conversation", not "robot"']);
    assert.deepEqual(errorsAt(4), ['occurredAt: is more than 5 minutes in the future']);
    assert.deepEqual(errorsAt(5), ["occurredAt: is older than Genesys's 7-day limit"]);
    assert.deepEqual(errorsAt(6), [
      `source: is "someone-else", but the sender is authenticated as ${source}`,
    ]);
    assert.match(errorsAt(7)[0]!, /^change\.type: /);
    assert.deepEqual(errorsAt(8), ['(event): must be a JSON object']);
    assert.deepEqual(
      outcomes.flatMap((outcome) => (outcome.errors ? [outcome.errors[0]!.code] : [])),
      ['missing', 'invalidValue', 'inFuture', 'tooOld', 'wrongSource', 'invalidValue', 'invalidType'],
    );
    assert.equal(response.data.code, undefined, 'a batch of which something was taken is no refusal');
    assert.equal(
      outcomes[1]!.eventId,
      noAgent.eventId,
      'a refused event is named by its eventId when it has one',
    );
    assert.equal(response.data.accepted, 2 + call.length);
    assert.equal(response.data.refused, 7);

    for (;;) {
      const accepted = await timeline('agent-1');
      if (accepted.length >= 2) {
        assert.deepEqual(
          accepted.map((entry) => entry.eventDateTime),
          good.map((event) => new Date(event.occurredAt).toISOString()),
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('drops a resubmitted batch in the workflow, counting the duplicates, and Genesys gets each event once', async () => {
    const batch = [presence('agent-3', 'Available', 4_000), presence('agent-3', 'Break', 3_000)];
    const first = await post(ingress, batch);
    assert.deepEqual(
      first.data.outcomes.map((outcome) => outcome.outcome),
      ['accepted', 'accepted'],
    );
    // Held again by Temporal, as the first time: the agent's workflow recognises and drops them.
    const again = await post(ingress, { events: batch });
    assert.equal(again.status, 202);
    assert.deepEqual(
      again.data.outcomes.map((outcome) => outcome.outcome),
      ['accepted', 'accepted'],
    );
    // The same event twice in one hold is answered at the door and signalled once.
    const inOneBatch = await post(ingress, [batch[0], batch[0]]);
    assert.deepEqual(
      inOneBatch.data.outcomes.map((outcome) => outcome.outcome),
      ['accepted', 'duplicate'],
    );
    const status = await untilAgent(
      localEnvironment().client,
      source,
      'agent-3',
      (current) => current.counters.received === 5,
    );
    assert.deepEqual(
      { published: status.counters.published, duplicates: status.counters.duplicates },
      { published: 2, duplicates: 3 },
    );
    assert.equal((await timeline('agent-3')).length, 2);
  });

  it('reports an event for a finished conversation instead of starting a new one', async () => {
    const call = answeredCall(source, 'agent-2', 'Sales').map((event) => ({
      kind: 'conversation',
      ...event,
    }));
    assert.equal((await post(ingress, call)).data.accepted, call.length);
    const handle = localEnvironment().client.workflow.getHandle(
      `conversation/${source}/${call[0]!.interactionId}`,
    );
    await handle.result();
    const late = { ...call.at(-1)!, eventId: randomUUID(), change: { type: 'wrapUp', agentId: 'agent-2' } };
    const response = await post(ingress, [late]);
    assert.equal(response.status, 202);
    assert.equal(response.data.outcomes[0]!.outcome, 'conversationFinished');
  });

  it('authenticates every request: a bearer token, or an HMAC signature over timestamp and body', async () => {
    const body = JSON.stringify([presence('agent-2', 'Available')]);
    const missing = await post(ingress, body, {});
    assert.equal(missing.status, 401);
    assert.match(
      missing.data.error ?? '',
      /authenticate with Authorization: Bearer <token>, or sign the body/,
    );
    assert.equal(missing.data.code, 'missingCredentials');
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="byoi-bridge"');
    const wrong = await post(ingress, body, { authorization: 'Bearer wrong' });
    assert.deepEqual([wrong.status, wrong.data.code], [401, 'unknownCredentials']);
    const timestamp = String(Math.floor(Date.now() / 1_000));
    const signed = {
      [signatureHeaders.source]: source,
      [signatureHeaders.timestamp]: timestamp,
      [signatureHeaders.signature]: signBody(secret, timestamp, body),
    };
    assert.equal((await post(ingress, body, signed)).status, 202);
    const tampered = await post(ingress, body.replace('Available', 'Break'), signed);
    assert.equal(tampered.status, 401);
    assert.deepEqual(tampered.data, {
      error: 'the signature does not match the body',
      code: 'invalidSignature',
    });
    const stale = String(Math.floor(Date.now() / 1_000) - 3_600);
    const old = await post(ingress, body, {
      ...signed,
      [signatureHeaders.timestamp]: stale,
      [signatureHeaders.signature]: signBody(secret, stale, body),
    });
    assert.equal(old.status, 401);
    assert.match(old.data.error ?? '', /within 5 minutes of now/);
    assert.equal(old.data.code, 'staleTimestamp');
  });

  it('takes vendor payloads at their adapter routes: a signed Twilio callback, an Amazon Connect record', async () => {
    const url = `${ingress.url}/v1/adapters/${source}/twilio/taskrouter`;
    const callback = {
      EventType: 'worker.activity.update',
      Sid: `EV${randomUUID().replace(/-/g, '')}`,
      Timestamp: String(Math.floor(Date.now() / 1_000) - 2),
      WorkerName: 'agent-2',
      WorkerActivityName: 'Break',
      WorkerActivityAvailable: 'false',
    };
    const form = new URLSearchParams(callback).toString();
    const sent = (signature: string) =>
      axios.post<IngressAnswer>(url, form, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        validateStatus: () => true,
      });
    const forged = await sent(twilioSignature('not-the-token', url, callback));
    assert.equal(forged.status, 401);
    assert.deepEqual(forged.data, {
      error: 'X-Twilio-Signature does not match the callback',
      code: 'invalidSignature',
    });
    const signed = await sent(twilioSignature(twilioToken, url, callback));
    assert.equal(signed.status, 202);
    assert.deepEqual(
      signed.data.outcomes.map((outcome) => [outcome.eventId, outcome.outcome]),
      [
        [`${callback.Sid}/presence`, 'accepted'],
        [`${callback.Sid}/routingStatus`, 'accepted'],
      ],
    );

    const record = amazonConnectAgentAvailable('agent-2');
    const connect = await axios.post<IngressAnswer & { records: unknown[] }>(
      `${ingress.url}/v1/adapters/${source}/amazon-connect/agent-events`,
      { Records: [record, { ...record, EventType: 'HEART_BEAT', EventId: randomUUID() }] },
      { headers: { authorization: `Bearer ${token}` }, validateStatus: () => true },
    );
    assert.equal(connect.status, 202);
    assert.equal(connect.data.accepted, 2);
    const [changed, heartbeat] = connect.data.records as [unknown, { record: number; ignored: string }];
    assert.deepEqual(changed, { record: 0, events: 2 });
    assert.equal(heartbeat.record, 1);
    assert.match(heartbeat.ignored, /HEART_BEAT/, 'an ignored record says why, by name');
    // Both changes reach Genesys, the Twilio one (earlier) first.
    const twilioAt = new Date(Number(callback.Timestamp) * 1_000).toISOString();
    const connectAt = new Date(record.EventTimestamp).toISOString();
    for (;;) {
      const entries = await timeline('agent-2');
      const at = (time: string) => entries.findIndex((entry) => entry.eventDateTime === time);
      if (at(twilioAt) >= 0 && at(connectAt) >= 0) {
        assert.ok(at(twilioAt) < at(connectAt));
        assert.deepEqual(
          [entries[at(twilioAt)]!.value, entries[at(connectAt)]!.value],
          ['Break', 'Available'],
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('takes a pushed directory snapshot, keeps it for the workers and syncs it; refuses a bad one whole', async () => {
    const url = `${ingress.url}/v1/directory/snapshot`;
    const put = (body: unknown) =>
      axios.put<Record<string, unknown>>(url, body, {
        headers: { authorization: `Bearer ${token}` },
        validateStatus: () => true,
      });
    const snapshot = contactCentreDirectory({ agents: 3, queues: 2, source });
    const { source: _implied, ...withoutSource } = snapshot;
    const stored = await put(withoutSource);
    assert.equal(stored.status, 202);
    assert.deepEqual(stored.data, {
      source,
      users: 3,
      queues: 2,
      skills: 4,
      wrapupCodes: 4,
      sync: 'started',
    });
    const report = await localEnvironment()
      .client.workflow.getHandle<typeof directorySyncWorkflow>(`directory/${source}`)
      .result();
    assert.equal(report.users.failed, 0);
    assert.equal(
      (JSON.parse(readFileSync(path.join(snapshotDir, `${source}.json`), 'utf8')) as { users: unknown[] })
        .users.length,
      3,
    );

    const broken = await put({
      ...withoutSource,
      users: [{ ...snapshot.users[0]!, queues: ['queue-9'], email: 'not-an-email' }],
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.data.code, 'invalidSnapshot');
    const problems = broken.data.problems as string[];
    assert.ok(problems.length >= 2, JSON.stringify(problems));
    assert.equal(
      broken.data.error,
      `the snapshot is refused whole: ${problems.length} problems, the first: ${problems[0]}`,
    );
    const another = await put({ ...snapshot, source: 'someone-else' });
    assert.deepEqual([another.status, another.data.code], [403, 'wrongSource']);
  });

  it('refuses malformed, oversized and overlong requests whole, with the reason', async () => {
    const cases: [string, Promise<AxiosResponse<IngressAnswer>>, number, string, RegExp][] = [
      ['bad JSON', post(ingress, '{"kind": "agent",'), 400, 'invalidJson', /^body: not valid JSON/],
      ['a bare string', post(ingress, '"hello"'), 400, 'invalidBody', /must be an event, an array of events/],
      ['an empty batch', post(ingress, []), 400, 'emptyBatch', /the batch is empty/],
      [
        'too many events',
        post(
          ingress,
          Array.from({ length: 51 }, () => presence('agent-1', 'Away')),
        ),
        413,
        'tooManyEvents',
        /51 events in one request; at most 50/,
      ],
      [
        'too many bytes',
        post(ingress, [{ ...presence('agent-1', 'Away'), padding: 'x'.repeat(70_000) }]),
        413,
        'bodyTooLarge',
        /larger than 65536 bytes/,
      ],
      [
        'not JSON',
        axios.post(`${ingress.url}/v1/events`, Buffer.from('kind=agent'), {
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
          validateStatus: () => true,
        }),
        415,
        'unsupportedMediaType',
        /send JSON/,
      ],
    ];
    for (const [name, request, status, code, message] of cases) {
      const response = await request;
      assert.equal(response.status, status, name);
      assert.equal(response.data.code, code, name);
      assert.match(response.data.error ?? '', message, name);
    }
    assert.deepEqual((await axios.get(`${ingress.url}/healthz`)).data, { status: 'ok' });
    assert.deepEqual((await axios.get(`${ingress.url}/readyz`)).data, { status: 'ready' });
  });
});

describe('the HTTP ingress when Temporal goes away', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let server: TestWorkflowEnvironment | undefined;
  let worker: ChildProcess | undefined;
  let ingress: Ingress | undefined;
  let connection: Connection | undefined;

  after(async () => {
    await ingress?.close();
    worker?.kill('SIGKILL');
    if (worker) await exited(worker);
    await connection?.close();
    await server?.teardown().catch(() => undefined);
    await sim?.simulator.stop();
  });

  it('answers 503 with Retry-After, never 202, once the Temporal server is stopped', async () => {
    sim = await startTestSimulator({ agents: 2, sourceName: source });
    server = await startDevServer();
    const taskQueue = uniqueTaskQueue('ingress-outage');
    worker = workerProcess(sim, taskQueue, { TEMPORAL_ADDRESS: server.address });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    ingress = await startIngress({
      bridge: new BridgeClient(client, {
        taskQueue,
        deadlineMs: 3_000,
        agentSettings: { reorderWindowMs: 300 },
      }),
      temporal: client,
      sources: { [source]: { tokens: [token] } },
    });
    // Accepted once Temporal holds it, whether or not a worker polls yet; a 503 (the server starting) is
    // simply sent again.
    const first = [presence('agent-1', 'Available')];
    let before = await post(ingress, first);
    while (before.status === 503) before = await post(ingress, first);
    assert.equal(before.status, 202);
    // Accepted now, or by an earlier attempt that outlived its answer: either way held, and once.
    assert.equal(before.data.accepted + before.data.duplicate, 1);

    await server.teardown();
    server = undefined;
    const during = await post(ingress, [
      presence('agent-1', 'Break'),
      presence('agent-2', 'Break'),
      { kind: 'robot' },
    ]);
    assert.equal(during.status, 503);
    assert.equal(during.headers['retry-after'], '5');
    assert.equal(during.data.code, 'unavailable');
    assert.match(during.data.error ?? '', /^Temporal did not take 2 of 3 events in time/);
    assert.deepEqual(
      during.data.outcomes.map((outcome) => outcome.outcome),
      ['unavailable', 'unavailable', 'refused'],
    );
    const ready = await axios.get<{ status: string; code?: string; error?: string }>(
      `${ingress.url}/readyz`,
      {
        validateStatus: () => true,
      },
    );
    assert.equal(ready.status, 503);
    assert.equal(ready.data.code, 'unavailable');
    assert.match(ready.data.error ?? '', /^Temporal does not answer: /);
  });
});
