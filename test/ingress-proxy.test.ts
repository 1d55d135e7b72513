import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { vendorAdapters } from '../client/ingress/adapters';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import type { RequestSummary } from '../client/ingress/http';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { BridgeClient } from '../client/library/bridge-client';
import { loadConfig } from '../config';
import { contactCentreDirectory } from '../tools/load/contact-centre';
import { projectRoot } from '../tools/stack/toolchain';
import { freePort, localEnvironment, uniqueTaskQueue } from './harness';
import { exited, inheritedEnvironment } from './processes';

const source = 'acd-proxied';
const twilioToken = 'proxy-test-twilio-auth-token';
const token = 'proxy-test-token';
const route = `/v1/adapters/${source}/twilio/taskrouter`;
/** Where the vendor called: the proxy's public address, which Twilio signs. */
const publicBase = 'https://bridge.example.test';

interface Answer {
  error?: string;
  code?: string;
  outcomes?: { eventId?: string; outcome: string }[];
}

/** A TaskRouter callback with a fresh Sid: an agent going on break. */
function callback(): Record<string, string> {
  return {
    EventType: 'worker.activity.update',
    Sid: `EV${randomUUID().replace(/-/g, '')}`,
    Timestamp: String(Math.floor(Date.now() / 1_000) - 1),
    WorkerName: 'agent-1',
    WorkerActivityName: 'Break',
    WorkerActivityAvailable: 'false',
  };
}

/** Posts `params` to the ingress at `url`, signed over `signedUrl`, with the proxy's `headers`. */
function deliver(
  url: string,
  signedUrl: string,
  params: Record<string, string>,
  headers: Record<string, string> = forwarded,
) {
  return axios.post<Answer>(`${url}${route}`, new URLSearchParams(params).toString(), {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(twilioToken, signedUrl, params),
      ...headers,
    },
    validateStatus: () => true,
  });
}

/** What a TLS-terminating proxy in front of the ingress adds. */
const forwarded = {
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'bridge.example.test',
  'x-forwarded-for': '203.0.113.7',
};

describe('the ingress behind a proxy', function () {
  this.timeout(120_000);
  const taskQueue = uniqueTaskQueue('proxy');
  const started: Ingress[] = [];

  /** An ingress configured from `env` as `npm run ingress` would be; `failures` hears of its 500s. */
  async function ingressWith(env: Record<string, string>, failures: RequestSummary[] = []): Promise<Ingress> {
    const config = loadConfig(env).ingress;
    const ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 100 },
      }),
      temporal: localEnvironment().client,
      sources: { [source]: { tokens: [token], twilioAuthTokens: [twilioToken] } },
      adapters: vendorAdapters(),
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      onError: (_error, request) => failures.push(request),
      // A snapshot store that is down: every push fails, as the ingress's log must show.
      directory: {
        store: () => Promise.reject(new Error('the snapshot store is down')),
        sync: () => Promise.reject(new Error('not reached')),
      },
    });
    started.push(ingress);
    return ingress;
  }

  after(async () => {
    for (const ingress of started) await ingress.close();
  });

  it('refuses a callback signed over the public https URL when it neither trusts the proxy nor knows that URL', async () => {
    const ingress = await ingressWith({});
    const answer = await deliver(ingress.url, `${publicBase}${route}`, callback());
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.data, {
      error: 'X-Twilio-Signature does not match the callback',
      code: 'invalidSignature',
    });
  });

  for (const trust of ['127.0.0.1', '127.0.0.0/8,10.0.0.0/8', 'loopback', '1', 'true']) {
    it(`rebuilds the signed URL from X-Forwarded-Proto and -Host when BYOI_INGRESS_TRUST_PROXY=${trust} trusts the proxy`, async () => {
      const ingress = await ingressWith({ BYOI_INGRESS_TRUST_PROXY: trust });
      const params = callback();
      const answer = await deliver(ingress.url, `${publicBase}${route}`, params);
      assert.equal(answer.status, 202, JSON.stringify(answer.data));
      assert.deepEqual(
        answer.data.outcomes!.map((outcome) => [outcome.eventId, outcome.outcome]),
        [
          [`${params.Sid}/presence`, 'accepted'],
          [`${params.Sid}/routingStatus`, 'accepted'],
        ],
      );
      // The URL as the ingress itself sees it no longer matches: the proxy's word is taken.
      assert.equal((await deliver(ingress.url, `${ingress.url}${route}`, callback())).status, 401);
    });
  }

  it('checks the signature over BYOI_INGRESS_PUBLIC_URL, whatever the request says, without trusting any proxy', async () => {
    const ingress = await ingressWith({ BYOI_INGRESS_PUBLIC_URL: `${publicBase}/` });
    assert.equal((await deliver(ingress.url, `${publicBase}${route}`, callback())).status, 202);
    assert.equal((await deliver(ingress.url, `${publicBase}${route}`, callback(), {})).status, 202);
    const direct = await deliver(ingress.url, `${ingress.url}${route}`, callback(), {});
    assert.equal(direct.status, 401);
    assert.equal(direct.data.code, 'invalidSignature');
  });

  it('ignores X-Forwarded-* from a proxy it does not trust, and checks the URL it was called at', async () => {
    const ingress = await ingressWith({ BYOI_INGRESS_TRUST_PROXY: '10.1.2.3,192.168.0.0/16' });
    const spoofed = await deliver(ingress.url, `${publicBase}${route}`, callback());
    assert.equal(spoofed.status, 401);
    assert.equal(spoofed.data.code, 'invalidSignature');
    const params = callback();
    const honest = await deliver(ingress.url, `${ingress.url}${route}`, params);
    assert.equal(honest.status, 202, JSON.stringify(honest.data));
    assert.equal(honest.data.outcomes![0]!.eventId, `${params.Sid}/presence`);
  });

  it('logs a failed request with the address a trusted proxy forwards, and the proxy’s own from an untrusted one', async () => {
    const snapshot = contactCentreDirectory({ agents: 1, queues: 1, source });
    const push = (ingress: Ingress) =>
      axios.put<Answer>(`${ingress.url}/v1/directory/snapshot`, snapshot, {
        headers: { authorization: `Bearer ${token}`, ...forwarded },
        validateStatus: () => true,
      });
    const trusted: RequestSummary[] = [];
    const failed = await push(await ingressWith({ BYOI_INGRESS_TRUST_PROXY: '127.0.0.1' }, trusted));
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.data, {
      error: 'the ingress failed; nothing of this request is known to be held',
      code: 'internal',
    });
    assert.deepEqual(trusted, [{ method: 'PUT', url: '/v1/directory/snapshot', ip: '203.0.113.7' }]);
    const untrusted: RequestSummary[] = [];
    await push(await ingressWith({}, untrusted));
    assert.deepEqual(
      untrusted.map((request) => request.ip),
      ['127.0.0.1'],
    );
  });

  it('keeps a path prefix of the public URL, for a proxy that serves the ingress under one', async () => {
    const ingress = await ingressWith({ BYOI_INGRESS_PUBLIC_URL: `${publicBase}/bridge` });
    assert.equal((await deliver(ingress.url, `${publicBase}/bridge${route}`, callback())).status, 202);
    assert.equal((await deliver(ingress.url, `${publicBase}${route}`, callback())).status, 401);
  });
});

describe('npm run ingress behind a proxy', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'byoi-ingress-process-'));
  });
  after(async () => {
    child?.kill('SIGTERM');
    if (child) await exited(child);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes BYOI_INGRESS_PUBLIC_URL from its environment for the vendors’ signatures', async () => {
    const port = await freePort();
    child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'client', 'ingress', 'main.ts')],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...inheritedEnvironment(),
          TEMPORAL_ADDRESS: localEnvironment().address,
          BYOI_TASK_QUEUE: uniqueTaskQueue('proxy-process'),
          BYOI_DATA_DIR: dataDir,
          BYOI_LOG_LEVEL: 'warn',
          BYOI_INGRESS_HOST: '127.0.0.1',
          BYOI_INGRESS_PORT: String(port),
          BYOI_INGRESS_TWILIO_AUTH_TOKENS: `${source}:${twilioToken}`,
          BYOI_INGRESS_PUBLIC_URL: publicBase,
        },
      },
    );
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      assert.equal(child.exitCode, null, 'the ingress exited');
      const up = await axios.get(`${url}/healthz`, { validateStatus: () => true }).catch(() => undefined);
      if (up?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const answer = await deliver(url, `${publicBase}${route}`, callback(), {});
    assert.equal(answer.status, 202, JSON.stringify(answer.data));
    assert.deepEqual(
      answer.data.outcomes!.map((outcome) => outcome.outcome),
      ['accepted', 'accepted'],
    );
  });
});
