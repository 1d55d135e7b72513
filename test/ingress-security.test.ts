import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import pino, { type Logger } from 'pino';
import { vendorAdapters } from '../client/ingress/adapters';
import { readCertificate } from '../client/ingress/certificate';
import {
  signBody,
  signatureHeaders,
  startIngress,
  type Ingress,
  type IngressOptions,
} from '../client/ingress/ingress';
import { readSecretsFile, reloadIngressSecurity } from '../client/ingress/security-reload';
import { BridgeClient } from '../client/library/bridge-client';
import { projectRoot } from '../tools/stack/toolchain';
import { isoAgo } from './genesys-fixtures';
import { freePort, localEnvironment, uniqueTaskQueue } from './harness';
import { exited, inheritedEnvironment } from './processes';
import {
  install,
  selfSignedCertificate,
  servedCertificate,
  trustingAgent,
  type TestCertificate,
} from './tls-fixtures';

const source = 'acd-secure';
const tokenA = 'secure-test-token-a-3b1f';
const tokenB = 'secure-test-token-b-9c2e';

interface Answer {
  error?: string;
  code?: string;
  accepted?: number;
  outcomes?: { outcome: string }[];
}

const presence = (state = 'Available', from = source) => ({
  kind: 'agent',
  source: from,
  agentId: 'agent-1',
  eventId: randomUUID(),
  occurredAt: isoAgo(2_000),
  change: { kind: 'presence', state },
});

/** Posts `body` to `/v1/events` at `url` (over https with `agent`), answering whatever the status. */
function post(url: string, headers: Record<string, string>, body: unknown = [presence()], agent?: Agent) {
  return axios.post<Answer>(
    `${url}/v1/events`,
    Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    {
      headers: { 'content-type': 'application/json', ...headers },
      httpsAgent: agent,
      validateStatus: () => true,
    },
  );
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A pino logger whose lines are kept: `lines()` parsed, `text()` as written. */
function capturedLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  return {
    logger,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => raw.join(''),
  };
}

/** The secrets file's text giving `source` these bearer tokens. */
const secretsWith = (...tokens: string[]) => JSON.stringify({ sources: { [source]: { tokens } } });

/** The fields of the audit line a refused authentication writes. */
function refusedLine(
  reason: string,
  claimedSource: string | undefined,
  address = '127.0.0.1',
  route = '/v1/events',
) {
  return { level: 40, msg: 'authentication refused', reason, claimedSource, address, method: 'POST', route };
}

describe('the ingress safe to expose', function () {
  this.timeout(120_000);
  const taskQueue = uniqueTaskQueue('secure');
  const started: Ingress[] = [];
  let dir: string;
  let first: TestCertificate;
  let second: TestCertificate;
  /** Where the ingress reads its certificate: the operator replaces these files. */
  let files: { certFile: string; keyFile: string; chainFile: undefined };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'byoi-ingress-security-'));
    first = await selfSignedCertificate(dir, 'first');
    second = await selfSignedCertificate(dir, 'second');
    files = {
      certFile: path.join(dir, 'served.crt'),
      keyFile: path.join(dir, 'served.key'),
      chainFile: undefined,
    };
  });
  beforeEach(async () => {
    await install(first, files);
  });
  after(async () => {
    for (const ingress of started) await ingress.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function ingressWith(options: Partial<IngressOptions> = {}): Promise<Ingress> {
    const ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 100 },
      }),
      temporal: localEnvironment().client,
      sources: { [source]: { tokens: [tokenA], hmacSecrets: [], twilioAuthTokens: [] } },
      maxBodyBytes: 16 * 1024,
      maxBatchEvents: 10,
      ...options,
    });
    started.push(ingress);
    return ingress;
  }

  describe('TLS', () => {
    it('serves HTTPS with the configured certificate, takes events over it, and refuses plain HTTP on its port', async () => {
      const ingress = await ingressWith({ tls: (await readCertificate(files)).context });
      assert.match(ingress.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await servedCertificate(ingress.url, first)).fingerprint256, first.fingerprint256);
      const answer = await post(ingress.url, bearer(tokenA), [presence()], trustingAgent(first));
      assert.equal(answer.status, 202, JSON.stringify(answer.data));
      assert.deepEqual(
        answer.data.outcomes!.map((outcome) => outcome.outcome),
        ['accepted'],
      );
      await assert.rejects(
        post(ingress.url.replace('https:', 'http:'), bearer(tokenA)),
        (error: Error & { code?: string }) => {
          assert.match(`${error.code} ${error.message}`, /ECONNRESET|socket hang up/);
          return true;
        },
      );
      // A client that does not trust the certificate does not talk to it.
      await assert.rejects(
        post(ingress.url, bearer(tokenA), [presence()], trustingAgent(second)),
        /self.signed certificate/,
      );
    });

    it('keeps its size and batch limits over HTTPS: 413 bodyTooLarge and tooManyEvents', async () => {
      const ingress = await ingressWith({ tls: (await readCertificate(files)).context });
      const agent = trustingAgent(first);
      const large = await post(
        ingress.url,
        bearer(tokenA),
        [{ ...presence(), padding: 'x'.repeat(20_000) }],
        agent,
      );
      assert.equal(large.status, 413);
      assert.deepEqual(large.data, { error: 'body: larger than 16384 bytes', code: 'bodyTooLarge' });
      const many = await post(
        ingress.url,
        bearer(tokenA),
        Array.from({ length: 11 }, () => presence()),
        agent,
      );
      assert.equal(many.status, 413);
      assert.deepEqual(many.data, {
        error: 'body: 11 events in one request; at most 10',
        code: 'tooManyEvents',
      });
    });

    it('serves a new certificate after a reload, on the same listener, and keeps the old one when the new pair is bad', async () => {
      const { logger, lines, text } = capturedLogger();
      const ingress = await ingressWith({ tls: (await readCertificate(files)).context });
      const settings = { tls: files, secretsFile: undefined };
      // A sender's keep-alive connection, opened before the reloads.
      const keptAlive = new Agent({ ca: [first.pem, second.pem], keepAlive: true, maxSockets: 1 });
      const peerOf = (response: { request?: unknown }) =>
        (response.request as { socket: TLSSocket }).socket.getPeerCertificate().fingerprint256;
      assert.equal(
        peerOf(await post(ingress.url, bearer(tokenA), [presence()], keptAlive)),
        first.fingerprint256,
      );

      // The new certificate with the old key: refused whole, the old pair still served.
      await install(second, { certFile: files.certFile, keyFile: path.join(dir, 'unused.key') });
      assert.deepEqual(await reloadIngressSecurity(ingress, settings, logger), {
        certificate: 'kept',
        secrets: 'none',
      });
      assert.equal((await servedCertificate(ingress.url, first)).fingerprint256, first.fingerprint256);
      const refusal = lines().find(
        (line) => line.msg === 'ingress certificate not reloaded: the previous one is still served',
      );
      assert.match(String(refusal?.problem), /served\.key: not the private key of .*served\.crt/);
      assert.ok(!text().includes('PRIVATE KEY'), 'no key material in the log');

      await install(second, files);
      assert.deepEqual(await reloadIngressSecurity(ingress, settings, logger), {
        certificate: 'reloaded',
        secrets: 'none',
      });
      const served = await servedCertificate(ingress.url, second);
      assert.equal(served.fingerprint256, second.fingerprint256);
      assert.equal(served.serialNumber.toLowerCase(), second.serialNumber.toLowerCase());
      const answer = await post(ingress.url, bearer(tokenA), [presence()], trustingAgent(second));
      assert.equal(answer.status, 202);
      // The listener was never closed: the connection opened before is still served, on its old handshake.
      const later = await post(ingress.url, bearer(tokenA), [presence()], keptAlive);
      assert.equal(later.status, 202);
      assert.equal(peerOf(later), first.fingerprint256);
      keptAlive.destroy();
      const reloaded = lines().find((line) => line.msg === 'ingress certificate reloaded');
      assert.equal(
        (reloaded?.certificate as { fingerprint256: string }).fingerprint256,
        second.fingerprint256,
      );
    });

    it('keeps serving its certificate when a reload cannot read the new files, naming the file', async () => {
      const { logger, lines } = capturedLogger();
      const ingress = await ingressWith({ tls: (await readCertificate(files)).context });
      const missing = { ...files, keyFile: path.join(dir, 'gone.key') };
      assert.equal(
        (await reloadIngressSecurity(ingress, { tls: missing, secretsFile: undefined }, logger)).certificate,
        'kept',
      );
      assert.match(String(lines()[0]?.problem), /gone\.key: cannot be read \(ENOENT\)/);
      assert.equal((await servedCertificate(ingress.url, first)).fingerprint256, first.fingerprint256);
    });
  });

  describe('secrets rotation', () => {
    it('rotates a source’s token without a restart: A, then A and B both valid, then B only and A refused 401', async () => {
      const { logger, lines, text } = capturedLogger();
      const secretsFile = path.join(dir, `secrets-${randomUUID()}.json`);
      await writeFile(secretsFile, secretsWith(tokenA));
      const ingress = await ingressWith({ sources: await readSecretsFile(secretsFile) });
      const settings = { tls: undefined, secretsFile };
      const status = async (token: string) => (await post(ingress.url, bearer(token))).status;

      assert.deepEqual([await status(tokenA), await status(tokenB)], [202, 401]);
      await writeFile(secretsFile, secretsWith(tokenA, tokenB));
      assert.deepEqual(await reloadIngressSecurity(ingress, settings, logger), {
        certificate: 'none',
        secrets: 'reloaded',
      });
      assert.deepEqual([await status(tokenA), await status(tokenB)], [202, 202]);
      await writeFile(secretsFile, secretsWith(tokenB));
      await reloadIngressSecurity(ingress, settings, logger);
      const refused = await post(ingress.url, bearer(tokenA));
      assert.equal(refused.status, 401);
      assert.equal(refused.data.code, 'unknownCredentials');
      assert.equal(await status(tokenB), 202);
      assert.deepEqual(
        lines()
          .filter((line) => line.msg === 'ingress secrets reloaded')
          .map((line) => line.sources),
        [
          { [source]: { tokens: 2, hmacSecrets: 0, twilioAuthTokens: 0 } },
          { [source]: { tokens: 1, hmacSecrets: 0, twilioAuthTokens: 0 } },
        ],
      );
      assert.ok(!text().includes(tokenA) && !text().includes(tokenB), 'no token in the log');
    });

    it('rotates an HMAC signing secret the same way: both sign during the change, then only the new', async () => {
      const secretsFile = path.join(dir, `secrets-${randomUUID()}.json`);
      const write = (...hmacSecrets: string[]) =>
        writeFile(secretsFile, JSON.stringify({ sources: { [source]: { hmacSecrets } } }));
      await write('old-signing-secret');
      const ingress = await ingressWith({ sources: await readSecretsFile(secretsFile) });
      const { logger } = capturedLogger();
      const signed = async (secret: string) => {
        const body = JSON.stringify([presence()]);
        const timestamp = String(Math.floor(Date.now() / 1_000));
        return (
          await post(
            ingress.url,
            {
              [signatureHeaders.source]: source,
              [signatureHeaders.timestamp]: timestamp,
              [signatureHeaders.signature]: signBody(secret, timestamp, body),
            },
            body,
          )
        ).status;
      };
      await write('old-signing-secret', 'new-signing-secret');
      await reloadIngressSecurity(ingress, { tls: undefined, secretsFile }, logger);
      assert.deepEqual([await signed('old-signing-secret'), await signed('new-signing-secret')], [202, 202]);
      await write('new-signing-secret');
      await reloadIngressSecurity(ingress, { tls: undefined, secretsFile }, logger);
      assert.deepEqual([await signed('old-signing-secret'), await signed('new-signing-secret')], [401, 202]);
    });

    it('keeps the previous secrets when the new file is bad, and logs its problems without any secret', async () => {
      const { logger, lines, text } = capturedLogger();
      const secretsFile = path.join(dir, `secrets-${randomUUID()}.json`);
      await writeFile(secretsFile, secretsWith(tokenA));
      const ingress = await ingressWith({ sources: await readSecretsFile(secretsFile) });
      const leaked = 'leaky-secret-value-77';
      const bad: [string, RegExp][] = [
        [`{"sources": {"${source}": {"tokens": ["${leaked}"`, /^not valid JSON$/],
        [
          JSON.stringify({ sources: { [source]: { tokens: [leaked, tokenA, tokenB] } } }),
          /^sources\.acd-secure\.tokens: at most 2 \(the old and the new during a rotation\)$/,
        ],
        [
          JSON.stringify({ sources: { [source]: { token: [leaked] } } }),
          /^sources\.acd-secure: Unrecognized key: "token"$/,
        ],
        [
          JSON.stringify({ sources: { [source]: { tokens: [leaked, 42] } } }),
          /^sources\.acd-secure\.tokens\.1: /,
        ],
        [
          JSON.stringify({ sources: { 'bad source': { tokens: [leaked] } } }),
          /^sources\.bad source: not a source name/,
        ],
        [
          JSON.stringify({ sources: { [source]: {} } }),
          /^sources\.acd-secure: names no token, HMAC secret or Twilio auth token$/,
        ],
        [
          JSON.stringify({ sources: { [source]: { tokens: [leaked] }, crm: { tokens: [leaked] } } }),
          /^sources\.crm\.tokens\.0: is acd-secure's token too/,
        ],
      ];
      for (const [content, problem] of bad) {
        await writeFile(secretsFile, content);
        assert.equal(
          (await reloadIngressSecurity(ingress, { tls: undefined, secretsFile }, logger)).secrets,
          'kept',
          content,
        );
        const line = lines().at(-1)!;
        assert.equal(line.msg, 'ingress secrets not reloaded: the previous ones are still valid');
        assert.equal(line.file, secretsFile);
        assert.match((line.problems as string[])[0]!, problem, content);
        assert.equal((await post(ingress.url, bearer(tokenA))).status, 202, content);
      }
      assert.ok(!text().includes(leaked), 'no secret in the log');
    });
    it('says so when SIGHUP finds nothing to re-read: the environment’s secret lists are read once, at start', async () => {
      const { logger, lines } = capturedLogger();
      const ingress = await ingressWith();
      assert.deepEqual(
        await reloadIngressSecurity(ingress, { tls: undefined, secretsFile: undefined }, logger),
        {
          certificate: 'none',
          secrets: 'none',
        },
      );
      assert.deepEqual(
        lines().map((line) => [line.level, line.msg]),
        [[40, 'nothing to reload: the ingress has no certificate files and no secrets file']],
      );
      assert.equal((await post(ingress.url, bearer(tokenA))).status, 202);
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a source spends its rate, naming the source and the limit; another source goes on', async () => {
      const ingress = await ingressWith({
        sources: {
          [source]: { tokens: [tokenA] },
          crm: { tokens: [tokenB] },
        },
        rateLimits: { bySource: { [source]: { count: 3, perMs: 60_000 } }, others: undefined },
      });
      // Events the bridge refuses (422) still count: the limit is on requests, after authentication.
      const statuses = [];
      for (let request = 0; request < 3; request++)
        statuses.push((await post(ingress.url, bearer(tokenA), [42])).status);
      assert.deepEqual(statuses, [422, 422, 422]);
      const limited = await post(ingress.url, bearer(tokenA));
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.data, {
        error: `source ${source} is over its rate limit of 3 requests a minute; retry after 20 s`,
        code: 'rateLimited',
      });
      assert.equal(limited.headers['retry-after'], '20');
      assert.equal((await post(ingress.url, bearer(tokenB), [presence('Available', 'crm')])).status, 202);
    });

    it('counts a source’s rate only after authentication: a flood of bad credentials naming it spends none of it', async () => {
      const ingress = await ingressWith({
        rateLimits: { bySource: {}, others: { count: 2, perMs: 60_000 } },
      });
      for (let request = 0; request < 10; request++) {
        const forged = await post(ingress.url, { ...bearer('guess'), [signatureHeaders.source]: source });
        assert.equal(forged.status, 401);
      }
      assert.deepEqual(
        [(await post(ingress.url, bearer(tokenA))).status, (await post(ingress.url, bearer(tokenA))).status],
        [202, 202],
      );
      assert.equal((await post(ingress.url, bearer(tokenA))).status, 429);
    });

    it('answers 429 tooManyRefusals to an address that spent its refused authentications, even with good credentials, until it refills', async () => {
      const ingress = await ingressWith({ refusalLimit: { count: 3, perMs: 1_000 } });
      const statuses = [];
      for (let request = 0; request < 3; request++)
        statuses.push((await post(ingress.url, bearer('guess'))).status);
      assert.deepEqual(statuses, [401, 401, 401]);
      const blocked = await post(ingress.url, bearer(tokenA));
      assert.equal(blocked.status, 429);
      assert.equal(blocked.data.code, 'tooManyRefusals');
      assert.match(
        blocked.data.error!,
        /^too many refused authentications from this address \(at most 3 a second\); retry after 1 s$/,
      );
      assert.equal(blocked.headers['retry-after'], '1');
      // Health probes are not behind the budget.
      assert.equal((await axios.get(`${ingress.url}/healthz`)).status, 200);
      // The budget refills at 3 a second: a third of a second later the address may try again.
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await post(ingress.url, bearer(tokenA))).status, 202);
    });
  });

  describe('the audit line', () => {
    it('writes one line per refused authentication with the reason, the claimed source, the address, method and route — never the secret', async () => {
      const { logger, lines, text } = capturedLogger();
      const ingress = await ingressWith({
        sources: {
          [source]: {
            tokens: [tokenA],
            hmacSecrets: ['audit-signing-secret'],
            twilioAuthTokens: ['audit-twilio-token'],
          },
        },
        auditLog: logger,
        trustProxy: ['127.0.0.1'],
        adapters: vendorAdapters(),
      });
      const timestamp = String(Math.floor(Date.now() / 1_000));
      const body = JSON.stringify([presence()]);
      const signed = (secret: string, at = timestamp) => ({
        [signatureHeaders.source]: source,
        [signatureHeaders.timestamp]: at,
        [signatureHeaders.signature]: signBody(secret, at, body),
      });
      await post(ingress.url, {});
      await post(ingress.url, { ...bearer('wrong-token-xyz'), 'x-forwarded-for': '198.51.100.23' });
      await post(ingress.url, signed('wrong-signing-secret'), body);
      await post(ingress.url, signed('audit-signing-secret', String(Number(timestamp) - 3_600)), body);
      await axios.post(`${ingress.url}/v1/adapters/${source}/twilio/taskrouter`, 'EventType=task.created', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
        validateStatus: () => true,
      });
      assert.equal((await post(ingress.url, bearer(tokenA))).status, 202);
      const audit = lines().filter((line) => line.audit === 'authenticationRefused');
      assert.deepEqual(
        audit.map(({ level, msg, reason, claimedSource, address, method, route }) => ({
          level,
          msg,
          reason,
          claimedSource,
          address,
          method,
          route,
        })),
        [
          refusedLine('missingCredentials', undefined),
          refusedLine('unknownCredentials', undefined, '198.51.100.23'),
          refusedLine('invalidSignature', source),
          refusedLine('staleTimestamp', source),
          refusedLine('invalidSignature', source, '127.0.0.1', '/v1/adapters/:source/twilio/taskrouter'),
        ],
      );
      for (const secret of [
        tokenA,
        'wrong-token-xyz',
        'wrong-signing-secret',
        'audit-signing-secret',
        'audit-twilio-token',
        'forged',
        'sha256=',
      ]) {
        assert.ok(!text().includes(secret), `the log holds ${secret}`);
      }
    });
  });
});

describe('npm run ingress with TLS and a secrets file', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'byoi-ingress-sighup-'));
  });
  after(async () => {
    child?.kill('SIGTERM');
    if (child) await exited(child);
    await rm(dir, { recursive: true, force: true });
  });

  it('swaps its certificate and its secrets on SIGHUP without dropping the listener, and audits a refusal on stdout', async () => {
    const first = await selfSignedCertificate(dir, 'first');
    const second = await selfSignedCertificate(dir, 'second');
    const files = { certFile: path.join(dir, 'served.crt'), keyFile: path.join(dir, 'served.key') };
    await install(first, files);
    const secretsFile = path.join(dir, 'secrets.json');
    await writeFile(secretsFile, secretsWith(tokenA));
    const port = await freePort();
    let output = '';
    child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'client', 'ingress', 'main.ts')],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...inheritedEnvironment(),
          TEMPORAL_ADDRESS: localEnvironment().address,
          BYOI_TASK_QUEUE: uniqueTaskQueue('sighup'),
          BYOI_DATA_DIR: dir,
          BYOI_LOG_LEVEL: 'info',
          BYOI_INGRESS_PORT: String(port),
          BYOI_INGRESS_TLS_CERT: files.certFile,
          BYOI_INGRESS_TLS_KEY: files.keyFile,
          BYOI_INGRESS_SECRETS_FILE: secretsFile,
        },
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `https://127.0.0.1:${port}`;
    const agent = trustingAgent(first, second);
    for (;;) {
      assert.equal(child.exitCode, null, 'the ingress exited');
      const up = await axios
        .get(`${url}/healthz`, { httpsAgent: agent, validateStatus: () => true })
        .catch(() => undefined);
      if (up?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal((await servedCertificate(url, first)).fingerprint256, first.fingerprint256);
    assert.equal((await post(url, bearer(tokenA), [presence()], agent)).status, 202);

    await install(second, files);
    await writeFile(secretsFile, secretsWith(tokenB));
    child.kill('SIGHUP');
    for (let attempt = 0; ; attempt++) {
      if ((await servedCertificate(url, first, second)).fingerprint256 === second.fingerprint256) break;
      assert.ok(attempt < 50, 'the new certificate is not served 10 s after SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (
      let attempt = 0;
      output.split('\n').filter((line) => line.includes('ingress secrets reloaded')).length === 0;
      attempt++
    ) {
      assert.ok(attempt < 50, 'the secrets are not reloaded 10 s after SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(child.exitCode, null, 'the ingress still runs');
    assert.equal((await post(url, bearer(tokenB), [presence()], agent)).status, 202);
    const refused = await post(url, bearer(tokenA), [presence()], agent);
    assert.equal(refused.status, 401);
    for (let attempt = 0; !output.includes('"audit":"authenticationRefused"'); attempt++) {
      assert.ok(attempt < 50, 'no audit line on stdout');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const audit = output
      .split('\n')
      .filter((line) => line.includes('"audit":"authenticationRefused"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      audit.map(({ reason, address, method, route }) => ({ reason, address, method, route })),
      [{ reason: 'unknownCredentials', address: '127.0.0.1', method: 'POST', route: '/v1/events' }],
    );
    assert.ok(!output.includes(tokenA) && !output.includes(tokenB), 'no token on stdout');
  });
});
