/**
 * The ingress as its own process (`npm run ingress`): listens on BYOI_INGRESS_HOST:BYOI_INGRESS_PORT,
 * authenticates sources from BYOI_INGRESS_TOKENS / BYOI_INGRESS_HMAC_SECRETS, and routes events to the
 * workflows on BYOI_TASK_QUEUE of the Temporal server TEMPORAL_* names. It drains and exits on
 * SIGINT/SIGTERM.
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config';
import { createLogger, createServiceMetrics } from '../../config/logger';
import { sampleGauges } from '../../config/metrics';
import { BridgeClient, bridgeClientOptionsFrom } from '../library/bridge-client';
import { startIngress } from './ingress';
import { loadAdapterMappings, vendorAdapters } from './adapters';
import { fileDirectoryIntake } from './directory-intake';
import path from 'node:path';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'byoi-ingress', config.ingress.metricsAddress);
  if (Object.keys(config.ingress.sources).length === 0) {
    throw new Error('no source can authenticate: set BYOI_INGRESS_TOKENS and/or BYOI_INGRESS_HMAC_SECRETS');
  }
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
    sources: config.ingress.sources,
    host: config.ingress.host,
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
      sources: Object.keys(config.ingress.sources),
      publicUrl: config.ingress.publicUrl,
      trustProxy: config.ingress.trustProxy,
      metrics: config.ingress.metricsAddress ? `http://${config.ingress.metricsAddress}/metrics` : 'off',
    },
    'ingress listening',
  );
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
