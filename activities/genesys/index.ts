/** The Genesys side of a worker process: one API client per OAuth client, and the publisher over it. */
import type { GenesysConfig } from '../../config';
import { sampleGauges, ServiceMetrics } from '../../config/metrics';
import { eventEndpoints } from '../../domain/genesys';
import { GenesysClient } from './client';
import { EventPublisher } from './publisher';
import { requestPriorities } from './request-budget';

/** The Genesys connection a worker shares between all its activities. */
export interface GenesysConnection {
  client: GenesysClient;
  publisher: EventPublisher;
}

/**
 * Builds the client and publisher from the worker's configuration; with `metrics`, they count their requests
 * and events there, and the budget's and the publisher's state is sampled into gauges.
 */
export function connectGenesys(config: GenesysConfig, metrics = ServiceMetrics.none): GenesysConnection {
  const client = new GenesysClient({
    metrics,
    hosts: config.hosts,
    credentials: { clientId: config.clientId, clientSecret: config.clientSecret },
    requestsPerMinute: config.requestsPerMinute,
    budgetSharedBy: config.budgetSharedBy,
    budgetHeadroom: config.budgetHeadroom,
  });
  const publisher = new EventPublisher(client, {
    maxEventsPerBatch: config.maxEventsPerBatch,
    maxBatchBytes: config.maxBatchBytes,
    minIntervalMs: config.publishIntervalMs,
    metrics,
  });
  if (metrics !== ServiceMetrics.none) sampleGenesysGauges({ client, publisher }, metrics);
  return { client, publisher };
}

/** Samples the request budget and the publisher's backlog into their gauges, for the process's life. */
function sampleGenesysGauges({ client, publisher }: GenesysConnection, metrics: ServiceMetrics): void {
  // Counters shown at zero from the start: a rate over a series that appears at 1 misses that first 1.
  for (const endpoint of Object.keys(eventEndpoints)) {
    for (const outcome of ['accepted', 'rejected', 'failed'])
      metrics.genesysEvents.add(0, { endpoint, outcome });
  }
  for (const priority of Object.keys(requestPriorities)) {
    metrics.genesysRequests.add(0, { priority, status: '429' });
  }
  metrics.budgetPaused.add(0);
  sampleGauges(() => {
    metrics.budgetUsedRequests.set(client.budget.used);
    metrics.budgetLimitRequests.set(client.budget.requestsPerWindow);
    metrics.budgetWaitingRequests.set(client.budget.waiting);
    const backlog = publisher.backlog();
    for (const endpoint of Object.keys(eventEndpoints) as (keyof typeof eventEndpoints)[]) {
      metrics.genesysPendingEvents.set(backlog[endpoint], { endpoint });
    }
  });
}

export { GenesysClient } from './client';
export { EventPublisher, type PublishOutcome } from './publisher';
export { GenesysApiError, GenesysEventRejectedError, genesysFailureTypes } from './errors';
