/**
 * The codec server as its own process (`npm run codec-server`): listens on
 * BYOI_CODEC_SERVER_HOST:BYOI_CODEC_SERVER_PORT (HTTPS with BYOI_CODEC_SERVER_TLS_CERT/KEY), opens and seals
 * payloads with the bridge's codec keys (BYOI_CODEC_KEYS or BYOI_CODEC_KEY_FILE), answers the tokens of
 * BYOI_CODEC_SERVER_TOKENS and the browsers of BYOI_CODEC_SERVER_ORIGINS, and stops on SIGINT/SIGTERM.
 */
import { loadConfig } from '../../config';
import { codecSummary } from '../../config/data-converter';
import { createLogger } from '../../config/logger';
import { EncryptionCodec } from '../../config/payload-codec';
import { readCertificate } from '../ingress/certificate';
import { certificateSummary } from '../ingress/security-reload';
import { startCodecServer } from './codec-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'byoi-codec-server');
  if (!config.codecKeys) {
    throw new Error(
      'no codec key: set BYOI_CODEC_KEYS or BYOI_CODEC_KEY_FILE to the keys the bridge seals with',
    );
  }
  const { tls } = config.codecServer;
  const certificate = tls && (await readCertificate(tls));
  const server = await startCodecServer({
    ...config.codecServer,
    codec: new EncryptionCodec(config.codecKeys),
    namespace: config.temporal.namespace,
    tls: certificate?.context,
    logger,
  });
  logger.info(
    {
      url: server.url,
      namespace: config.temporal.namespace,
      origins: config.codecServer.origins,
      payloadCodec: codecSummary(config.codecKeys),
      certificate: certificate && certificateSummary(certificate),
      tokens: config.codecServer.tokens.length,
    },
    `codec server listening: sign in at ${server.url}/login, or temporal --codec-endpoint ${server.url} --codec-auth "Bearer <token>"`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
