/**
 * The ingress as its own process (`npm run ingress`): listens on BYOI_INGRESS_HOST:BYOI_INGRESS_PORT (HTTPS
 * with BYOI_INGRESS_TLS_CERT and _KEY), authenticates sources from BYOI_INGRESS_SECRETS_FILE or the
 * BYOI_INGRESS_TOKENS / _HMAC_SECRETS / _TWILIO_AUTH_TOKENS lists, and routes events to the workflows on
 * BYOI_TASK_QUEUE of the Temporal server TEMPORAL_* names. On SIGHUP it re-reads its certificate and its
 * secrets file, keeping the previous ones when the new are bad; it drains and exits on SIGINT/SIGTERM.
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config';
import { codecSummary } from '../../config/data-converter';
import { createLogger, createServiceMetrics } from '../../config/logger';
import { sampleGauges } from '../../config/metrics';
import { BridgeClient, bridgeClientOptionsFrom } from '../library/bridge-client';
import { startIngress } from './ingress';
import { loadAdapterMappings, vendorAdapters } from './adapters';
import { fileDirectoryIntake } from './directory-intake';
import { readCertificate } from './certificate';
import { certificateSummary, readSecretsFile, reloadIngressSecurity } from './security-reload';
import path from 'node:path';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'byoi-ingress', config.ingress.metricsAddress);
  const { secretsFile, tls } = config.ingress;
  const sources = secretsFile === undefined ? config.ingress.sources : await readSecretsFile(secretsFile);
  if (Object.keys(sources).length === 0) {
    throw new Error(
      'no source can authenticate: set BYOI_INGRESS_SECRETS_FILE, or BYOI_INGRESS_TOKENS and/or BYOI_INGRESS_HMAC_SECRETS',
    );
  }
  const certificate = tls && (await readCertificate(tls));
  const metrics = createServiceMetrics(config.ingress.metricsAddress);
  // Lazy: the ingress listens (and /readyz says 503) even while Temporal is not up yet.
  const connection = Connection.lazy(config.temporal.connectionOptions);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: config.dataConverter,
  });
  const bridge = new BridgeClient(client, { ...bridgeClientOptionsFrom(config), metrics });
  const stopSampling = sampleGauges(() => metrics.ingressPendingEvents.set(bridge.pendingEvents));
  const ingress = await startIngress({
    bridge,
    metrics,
    temporal: client,
    sources,
    host: config.ingress.host,
    ...(certificate && { tls: certificate.context }),
    rateLimits: config.ingress.rateLimits,
    refusalLimit: config.ingress.refusalLimit,
    auditLog: logger,
    port: config.ingress.port,
    publicUrl: config.ingress.publicUrl,
    trustProxy: config.ingress.trustProxy,
    adapters: vendorAdapters(
      config.ingress.adapterMappings ? loadAdapterMappings(config.ingress.adapterMappings) : {},
    ),
    onError: (error, request) => logger.error({ err: error, ...request }, 'ingress request failed'),
    directory: fileDirectoryIntake(path.join(config.dataDir, 'snapshots'), client, config.taskQueue),
  });
  logger.info(
    {
      url: ingress.url,
      sources: Object.keys(sources),
      payloadCodec: codecSummary(config.codecKeys),
      certificate: certificate && certificateSummary(certificate),
      rateLimits: config.ingress.rateLimits ?? 'off',
      refusalLimit: config.ingress.refusalLimit ?? 'off',
      publicUrl: config.ingress.publicUrl,
      trustProxy: config.ingress.trustProxy,
      metrics: config.ingress.metricsAddress ? `http://${config.ingress.metricsAddress}/metrics` : 'off',
    },
    'ingress listening',
  );
  // One reload at a time, in the order the signals came.
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading
      .then(async () => {
        await reloadIngressSecurity(ingress, config.ingress, logger);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'ingress reload failed'));
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ingress.close();
  stopSampling();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
