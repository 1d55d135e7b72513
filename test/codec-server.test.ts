/**
 * The codec server's own rules, without a Temporal server: HTTPS when configured (and only HTTPS off
 * loopback), no start without a token, sessions opened only by a known token, and payloads it cannot open
 * handed back as they were while the others open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import pino from 'pino';
import { startCodecServer, type CodecServerOptions } from '../client/codec-server/codec-server';
import { loadConfig } from '../config';
import { newKeyEntry } from '../config/codec-keys';
import { EncryptionCodec } from '../config/payload-codec';
import { freshKeys } from './customer-fixtures';
import { selfSignedCertificate, trustingAgent } from './tls-fixtures';

const token = 'a-codec-server-token-of-this-test';
const keys = freshKeys();

function options(overrides: Partial<CodecServerOptions> = {}): CodecServerOptions {
  return {
    codec: new EncryptionCodec(keys),
    namespace: 'default',
    tokens: [token],
    origins: [],
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}

/** Payloads as Temporal's codec protocol carries them (protobuf JSON). */
async function sealedBody(...values: unknown[]): Promise<string> {
  const sealed = await new EncryptionCodec(keys).encode(
    values.map((value) => defaultPayloadConverter.toPayload(value)),
  );
  return JSON.stringify(
    temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: sealed }), {
      bytes: String,
    }),
  );
}

describe('the codec server', () => {
  it('refuses to start off loopback without TLS, or with no token to answer', async () => {
    await assert.rejects(
      startCodecServer(options({ host: '0.0.0.0' })),
      /off loopback \(0\.0\.0\.0\) it serves HTTPS only/,
    );
    await assert.rejects(startCodecServer(options({ tokens: [] })), /set BYOI_CODEC_SERVER_TOKENS/);
  });

  it('names the missing half of its certificate pair by variable', () => {
    assert.throws(
      () => loadConfig({ BYOI_CODEC_SERVER_TLS_CERT: '/etc/byoi/codec.crt' }),
      /BYOI_CODEC_SERVER_TLS_KEY: required when BYOI_CODEC_SERVER_TLS_CERT is set/,
    );
  });

  it('serves HTTPS with the configured certificate and decodes for a bearer token', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'byoi-codec-tls-'));
    const certificate = await selfSignedCertificate(directory, 'codec');
    const server = await startCodecServer(
      options({ tls: { cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) } }),
    );
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await sealedBody({ ani: '+15557654321' });
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const sent = request(
          `${server.url}/decode`,
          {
            method: 'POST',
            agent: trustingAgent(certificate),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        sent.on('error', reject);
        sent.end(body);
      });
      assert.equal(answer.status, 200);
      const [payload] = temporal.api.common.v1.Payloads.fromObject(
        JSON.parse(answer.text) as object,
      ).payloads;
      assert.deepEqual(defaultPayloadConverter.fromPayload(payload!), { ani: '+15557654321' });
    } finally {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('opens a browser session only for a token it knows', async () => {
    const server = await startCodecServer(options());
    try {
      const signIn = (offered: string) =>
        fetch(`${server.url}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: offered }).toString(),
        });
      const refused = await signIn('not-the-token');
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('set-cookie'), null);
      const opened = await signIn(token);
      assert.equal(opened.status, 200);
      const cookie = opened.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^byoi_codec_session=[^;]+;.*HttpOnly/i);
      const decode = (headers: Record<string, string>) =>
        fetch(`${server.url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: '{"payloads":[]}',
        });
      assert.equal((await decode({ cookie: cookie.split(';')[0]! })).status, 200);
      assert.equal((await decode({ cookie: 'byoi_codec_session=forged.value' })).status, 401);
    } finally {
      await server.close();
    }
  });

  it('hands back, as it was, a payload sealed with a key it lacks, and opens the others', async () => {
    const server = await startCodecServer(options());
    try {
      const foreign = await new EncryptionCodec(freshKeys([newKeyEntry()])).encode([
        defaultPayloadConverter.toPayload('sealed elsewhere'),
      ]);
      const ours = JSON.parse(await sealedBody('ours')) as { payloads: unknown[] };
      const theirs = temporal.api.common.v1.Payloads.toObject(
        temporal.api.common.v1.Payloads.create({ payloads: foreign }),
        { bytes: String },
      ) as { payloads: unknown[] };
      const answer = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ payloads: [...ours.payloads, ...theirs.payloads] }),
      });
      const { payloads } = temporal.api.common.v1.Payloads.fromObject((await answer.json()) as object);
      assert.equal(defaultPayloadConverter.fromPayload(payloads[0]!), 'ours');
      assert.equal(new TextDecoder().decode(payloads[1]!.metadata!.encoding), 'binary/encrypted');
    } finally {
      await server.close();
    }
  });

  it('answers hostile requests with a clear refusal and decodes nothing for them', async () => {
    const server = await startCodecServer(options({ maxBodyBytes: 64 * 1_024 }));
    try {
      const decode = (body: string, headers: Record<string, string> = {}) =>
        fetch(`${server.url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
          body,
        });
      const cases: [string, Promise<Response>, number, RegExp][] = [
        ['broken JSON', decode('{"payloads": ['), 400, /JSON/i],
        ['not an object', decode('[1,2,3]'), 400, /body/],
        [
          'data not base64',
          decode('{"payloads":[{"data":"not base64!"}]}'),
          400,
          /body\.payloads\.0\.data: must be base64/,
        ],
        ['metadata not a map', decode('{"payloads":[{"metadata":"x"}]}'), 400, /body\.payloads\.0\.metadata/],
        [
          'too many payloads',
          decode(JSON.stringify({ payloads: Array(10_001).fill({}) })),
          413,
          /at most 10000/,
        ],
        [
          'too large a body',
          decode(JSON.stringify({ payloads: [{ data: 'A'.repeat(100_000) }] })),
          413,
          /larger than/,
        ],
        ['not JSON', decode('payloads', { 'content-type': 'text/plain' }), 415, /JSON/],
        [
          'a token in the wrong scheme',
          decode('{"payloads":[]}', { authorization: `Basic ${token}` }),
          401,
          /not authorised/,
        ],
      ];
      for (const [what, answer, status, message] of cases) {
        const response = await answer;
        assert.equal(response.status, status, what);
        assert.match(await response.text(), message, what);
      }
    } finally {
      await server.close();
    }
  });
});
