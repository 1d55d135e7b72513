/** The Genesys side of a worker process: one API client per OAuth client, and the publisher over it. */
import type { GenesysConfig } from '../../config';
import { GenesysClient } from './client';
import { EventPublisher } from './publisher';

/** The Genesys connection a worker shares between all its activities. */
export interface GenesysConnection {
  client: GenesysClient;
  publisher: EventPublisher;
}

/** Builds the client and publisher from the worker's configuration. */
export function connectGenesys(config: GenesysConfig): GenesysConnection {
  const client = new GenesysClient({
    hosts: config.hosts,
    credentials: { clientId: config.clientId, clientSecret: config.clientSecret },
    requestsPerMinute: config.requestsPerMinute,
    budgetHeadroom: config.budgetHeadroom,
  });
  const publisher = new EventPublisher(client, {
    maxEventsPerBatch: config.maxEventsPerBatch,
    maxBatchBytes: config.maxBatchBytes,
    minIntervalMs: config.publishIntervalMs,
  });
  return { client, publisher };
}

export { GenesysClient } from './client';
export { EventPublisher, type PublishOutcome } from './publisher';
export { GenesysApiError, GenesysEventRejectedError, genesysFailureTypes } from './errors';
