/**
 * The main job's sealed payloads: the configured codec keys, or else a key of the demo's own kept in
 * `<data dir>/codec.keys`; the codec server the Web UI decodes through; and, after the first act, what a
 * history holds of the customer for anyone without the key.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startCodecServer, type CodecServer } from '../../client/codec-server/codec-server';
import { historyPayloads } from '../../client/library/history-payloads';
import { loadConfig, type BridgeConfig } from '../../config';
import { newKeyEntry } from '../../config/codec-keys';
import { EncryptionCodec } from '../../config/payload-codec';
import type { RunLog } from './run-log';
import { step } from './step';

/**
 * The config with codec keys: as configured, or with the demo's own key file (made once, readable by its
 * owner only), which the worker is then given too.
 */
export function withDemoKeys(config: BridgeConfig): {
  config: BridgeConfig;
  workerEnvironment: NodeJS.ProcessEnv;
} {
  if (config.codecKeys) return { config, workerEnvironment: {} };
  const keyFile = path.resolve(config.dataDir, 'codec.keys');
  if (!existsSync(keyFile)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(keyFile, `# the main job's payload key (docs/security.md)\n${newKeyEntry()}\n`, {
      mode: 0o600,
    });
  }
  const workerEnvironment = { BYOI_CODEC_KEY_FILE: keyFile };
  return { config: loadConfig({ ...process.env, ...workerEnvironment }), workerEnvironment };
}

/**
 * Starts the codec server on BYOI_CODEC_SERVER_PORT (any free port if that one is taken), answering the
 * configured tokens or one of this run's own, written to `<data dir>/codec-server.token`: never printed, as
 * everything printed also goes to the run's log.
 */
export async function startDemoCodecServer(config: BridgeConfig, runLog: RunLog): Promise<CodecServer> {
  let tokens = config.codecServer.tokens;
  let tokenWhere = 'a token of BYOI_CODEC_SERVER_TOKENS';
  if (tokens.length === 0) {
    const tokenFile = path.resolve(config.dataDir, 'codec-server.token');
    tokens = [randomBytes(24).toString('base64url')];
    writeFileSync(tokenFile, `${tokens[0]}\n`, { mode: 0o600 });
    tokenWhere = `the token in ${tokenFile}`;
  }
  const options = {
    ...config.codecServer,
    tokens,
    tls: undefined,
    codec: new EncryptionCodec(config.codecKeys),
    namespace: config.temporal.namespace,
    logger: runLog.logger.child({ component: 'codec-server' }),
  };
  const server = await startCodecServer(options).catch(() => startCodecServer({ ...options, port: 0 }));
  step(
    `payloads are sealed (AES-256-GCM, key ${config.codecKeys?.sealingKeyId}); the codec server at ${server.url} opens them ` +
      `for the Web UI: sign in at ${server.url}/login with ${tokenWhere}, then in the UI's codec server settings choose ` +
      `"Use my browser setting", enter ${server.url} and tick "Include cross-origin credentials" (docs/security.md); the CLI: temporal workflow show --codec-endpoint ${server.url} --codec-auth "Bearer <token>"`,
  );
  return server;
}

/** Says what `workflowId`'s history holds for anyone without the key, and whether `customerData` shows in it. */
export async function showSealedHistory(
  client: Client,
  workflowId: string,
  what: string,
  customerData: string[],
): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = historyPayloads(history);
  const stored = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
  const shown = customerData.filter((text) => stored.includes(text));
  const sealed = Object.entries(payloads.sealedByKey).map(
    ([keyId, count]) => `${count} sealed with key ${keyId}`,
  );
  step(
    `  its history as the server stores it: ${[...sealed, `${payloads.plain} plain`].join(', ')}; ` +
      (shown.length === 0 ? `nowhere in it in plain text: ${what}` : `in plain text: ${shown.join(', ')}`),
  );
}
