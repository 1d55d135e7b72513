/** A bridge worker in this process, wired to a simulator as a production worker is wired to Genesys. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DirectoryMapping, type DirectoryMappingOptions } from '../activities/directory/mapping';
import type { GenesysClient, GenesysClientOptions } from '../activities/genesys/client';
import { EventPublisher } from '../activities/genesys/publisher';
import { loadConfig } from '../config';
import { bridgeDataConverter } from '../config/data-converter';
import type { CodecKeys } from '../config/payload-codec';
import { createBridgeWorker } from '../workers/worker';
import { clientFor, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, workflowBundle } from './harness';

/** A running bridge worker and the Genesys client it uses. */
export interface TestBridgeWorker {
  client: GenesysClient;
  stop(): Promise<void>;
}

/** Runs a bridge worker on `taskQueue` of the shared dev server (or `environment`), talking to `sim`. */
export async function runBridgeWorker(
  sim: TestSimulator,
  taskQueue: string,
  options: {
    client?: Partial<Omit<GenesysClientOptions, 'hosts'>>;
    mapping?: DirectoryMappingOptions;
    /** The Temporal server (default: the shared dev server). */
    environment?: TestWorkflowEnvironment;
    /** Keys to seal payloads with, as a worker given BYOI_CODEC_KEYS does (default: none, plain JSON). */
    codecKeys?: CodecKeys;
  } = {},
): Promise<TestBridgeWorker> {
  const client = clientFor(sim.simulator, options.client);
  const environment = options.environment ?? localEnvironment();
  const worker = await createBridgeWorker({
    connection: environment.nativeConnection,
    config: { ...loadConfig({}), taskQueue, dataConverter: bridgeDataConverter(options.codecKeys) },
    dependencies: {
      bridgeVersion: 'test',
      genesys: {
        client,
        publisher: new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
      },
      mapping: new DirectoryMapping(client, options.mapping),
      temporal: environment.client,
    },
    workflowBundle: await workflowBundle(require.resolve('../workflows'), options.codecKeys !== undefined),
  });
  const running = worker.run();
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      client.close();
    },
  };
}
