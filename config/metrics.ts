/**
 * The bridge's service-level metrics, in one home: their names, units, labels and histogram buckets, and
 * the instruments every process records them on. They go through the Temporal runtime's own meter, so a
 * process serves them on the one `/metrics` endpoint that also carries the SDK's metrics. Labels are few
 * and bounded (a stream kind, a source, an endpoint, an outcome, a status): never an agent, an interaction,
 * a Genesys id or anything a customer could be known by.
 */
import {
  noopMetricMeter,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type MetricMeter,
} from '@temporalio/common';

/** One metric as Prometheus shows it (counters with `_total`, histograms as `_bucket`, `_sum`, `_count`). */
export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly string[];
  help: string;
}

/** Seconds-long histograms share these bounds: from a quick publish to an hour's backlog. */
const ageBucketsSeconds = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600];

/**
 * Every service-level metric the bridge's processes export (the workflows' own counters and the memory
 * gauges are in {@link workflowMetrics} and {@link processMetrics}). docs/metrics.md explains each one.
 */
export const serviceMetrics = {
  eventAgeAtPublish: {
    name: 'byoi_event_age_at_publish_seconds',
    type: 'histogram',
    labels: ['stream', 'source'],
    help: 'from the bridge receiving an event to Genesys accepting it, by stream kind (agent, conversation)',
  },
  ingressEvents: {
    name: 'byoi_ingress_events_total',
    type: 'counter',
    labels: ['kind', 'source', 'outcome'],
    help: 'events the ingress answered: accepted, duplicate, refused, conversationFinished, unavailable',
  },
  ingressPendingEvents: {
    name: 'byoi_ingress_pending_events',
    type: 'gauge',
    labels: [],
    help: 'events the ingress holds for the reorder window or is signalling to Temporal',
  },
  ingressRequests: {
    name: 'byoi_ingress_requests_total',
    type: 'counter',
    labels: ['route', 'status'],
    help: 'HTTP requests the ingress answered, by route pattern and status code',
  },
  genesysEvents: {
    name: 'byoi_genesys_events_total',
    type: 'counter',
    labels: ['endpoint', 'outcome'],
    help: 'events the publisher sent to Genesys: accepted, rejected (refused by Genesys), failed (the request failed; retried)',
  },
  genesysPendingEvents: {
    name: 'byoi_genesys_pending_events',
    type: 'gauge',
    labels: ['endpoint'],
    help: "events handed to the worker's publisher, waiting for the request budget or in flight",
  },
  genesysRequests: {
    name: 'byoi_genesys_requests_total',
    type: 'counter',
    labels: ['priority', 'status'],
    help: 'Genesys API requests sent, by budget priority and HTTP status (none: no answer)',
  },
  budgetUsedRequests: {
    name: 'byoi_genesys_budget_used_requests',
    type: 'gauge',
    labels: [],
    help: "requests sent in the request budget's current rolling window",
  },
  budgetLimitRequests: {
    name: 'byoi_genesys_budget_limit_requests',
    type: 'gauge',
    labels: [],
    help: 'requests the budget lets through per rolling window (the rate limit less the headroom)',
  },
  budgetWaitingRequests: {
    name: 'byoi_genesys_budget_waiting_requests',
    type: 'gauge',
    labels: [],
    help: 'callers waiting for a request slot',
  },
  budgetPaused: {
    name: 'byoi_genesys_budget_paused_milliseconds_total',
    type: 'counter',
    labels: [],
    help: "time every request was held by Genesys's Retry-After after a 429",
  },
  recordingUploadAge: {
    name: 'byoi_recording_upload_age_seconds',
    type: 'histogram',
    labels: ['source', 'outcome'],
    help: 'from a recording upload being asked for to its end (uploaded and playable, or failed for good)',
  },
  workflows: {
    name: 'byoi_workflows',
    type: 'gauge',
    labels: ['kind', 'status'],
    help: 'open agent and conversation workflows by ByoiStatus (a visibility count)',
  },
  workflowsClosedLastHour: {
    name: 'byoi_workflows_closed_last_hour',
    type: 'gauge',
    labels: ['kind', 'status'],
    help: 'conversation workflows closed in the last hour by final ByoiStatus (a visibility count)',
  },
  workflowsCountedAt: {
    name: 'byoi_workflows_counted_timestamp_seconds',
    type: 'gauge',
    labels: [],
    help: 'when the workflow counts last succeeded (Unix time)',
  },
} as const satisfies Record<string, MetricDefinition>;

/** The counters the agent and conversation workflows emit themselves (never again on replay). */
export const workflowMetrics = {
  agentEvents: {
    name: 'byoi_agent_events_total',
    type: 'counter',
    labels: ['source', 'outcome'],
    help: 'agent events by outcome: received, published, duplicates, late, tooOld, rejected, skipped, requeued',
  },
  conversationEvents: {
    name: 'byoi_conversation_events_total',
    type: 'counter',
    labels: ['source', 'outcome'],
    help: 'interaction events by outcome: received, duplicates, applied, late, tooOld, skipped',
  },
} as const satisfies Record<string, MetricDefinition>;

/** The memory gauges every process with a metrics address serves (config/logger.ts). */
export const processMetrics = {
  residentMemory: {
    name: 'byoi_process_resident_memory_bytes',
    type: 'gauge',
    labels: ['process'],
    help: 'resident set size of the process, every thread included',
  },
  heapUsed: {
    name: 'byoi_process_heap_used_bytes',
    type: 'gauge',
    labels: ['process'],
    help: "V8 heap in use on the process's main thread",
  },
  heapTotal: {
    name: 'byoi_process_heap_total_bytes',
    type: 'gauge',
    labels: ['process'],
    help: "V8 heap reserved on the process's main thread",
  },
  externalMemory: {
    name: 'byoi_process_external_memory_bytes',
    type: 'gauge',
    labels: ['process'],
    help: 'memory of buffers and other objects outside the V8 heap',
  },
} as const satisfies Record<string, MetricDefinition>;

/** Bucket bounds of the bridge's histograms, for the runtime's Prometheus exporter. */
export const histogramBuckets: Record<string, number[]> = {
  [serviceMetrics.eventAgeAtPublish.name]: ageBucketsSeconds,
  [serviceMetrics.recordingUploadAge.name]: [
    1, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 21_600, 86_400,
  ],
};

/** The name a metric is created under: the exporter adds `_total` to counters itself. */
function baseName(definition: MetricDefinition): string {
  return definition.type === 'counter' ? definition.name.replace(/_total$/, '') : definition.name;
}

/** The instruments of {@link serviceMetrics}, created once per process on a meter. */
export class ServiceMetrics {
  /** Records nothing: for processes and tests without a metrics address. */
  static readonly none = new ServiceMetrics(noopMetricMeter);

  readonly eventAgeAtPublish: MetricHistogram;
  readonly ingressEvents: MetricCounter;
  readonly ingressPendingEvents: MetricGauge;
  readonly ingressRequests: MetricCounter;
  readonly genesysEvents: MetricCounter;
  readonly genesysPendingEvents: MetricGauge;
  readonly genesysRequests: MetricCounter;
  readonly budgetUsedRequests: MetricGauge;
  readonly budgetLimitRequests: MetricGauge;
  readonly budgetWaitingRequests: MetricGauge;
  readonly budgetPaused: MetricCounter;
  readonly recordingUploadAge: MetricHistogram;
  readonly workflows: MetricGauge;
  readonly workflowsClosedLastHour: MetricGauge;
  readonly workflowsCountedAt: MetricGauge;

  constructor(meter: MetricMeter) {
    const counter = (definition: MetricDefinition, unit: string) =>
      meter.createCounter(baseName(definition), unit, definition.help);
    const gauge = (definition: MetricDefinition, unit: string) =>
      meter.createGauge(baseName(definition), 'int', unit, definition.help);
    const histogram = (definition: MetricDefinition, unit: string) =>
      meter.createHistogram(baseName(definition), 'float', unit, definition.help);
    const metrics = serviceMetrics;
    this.eventAgeAtPublish = histogram(metrics.eventAgeAtPublish, 's');
    this.ingressEvents = counter(metrics.ingressEvents, 'events');
    this.ingressPendingEvents = gauge(metrics.ingressPendingEvents, 'events');
    this.ingressRequests = counter(metrics.ingressRequests, 'requests');
    this.genesysEvents = counter(metrics.genesysEvents, 'events');
    this.genesysPendingEvents = gauge(metrics.genesysPendingEvents, 'events');
    this.genesysRequests = counter(metrics.genesysRequests, 'requests');
    this.budgetUsedRequests = gauge(metrics.budgetUsedRequests, 'requests');
    this.budgetLimitRequests = gauge(metrics.budgetLimitRequests, 'requests');
    this.budgetWaitingRequests = gauge(metrics.budgetWaitingRequests, 'requests');
    this.budgetPaused = counter(metrics.budgetPaused, 'ms');
    this.recordingUploadAge = histogram(metrics.recordingUploadAge, 's');
    this.workflows = gauge(metrics.workflows, 'workflows');
    this.workflowsClosedLastHour = gauge(metrics.workflowsClosedLastHour, 'workflows');
    this.workflowsCountedAt = gauge(metrics.workflowsCountedAt, 's');
  }

  /** Records the age of an event Genesys just accepted; `receivedAtMs` is when the bridge received it. */
  eventPublished(stream: 'agent' | 'conversation', source: string, receivedAtMs: number, nowMs = Date.now()) {
    // The ingress's clock and the worker's may differ by a little: an age is never negative.
    this.eventAgeAtPublish.record(Math.max(0, nowMs - receivedAtMs) / 1_000, { stream, source });
  }
}

/** How often gauges of in-process state (the budget, the publisher's and the ingress's queues) are sampled. */
export const gaugeSampleMs = 5_000;

/** Samples `sample` now and every {@link gaugeSampleMs}, without keeping the process alive; answers a stop. */
export function sampleGauges(sample: () => void): () => void {
  sample();
  const timer = setInterval(sample, gaugeSampleMs);
  timer.unref();
  return () => clearInterval(timer);
}
