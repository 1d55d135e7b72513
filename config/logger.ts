/** Structured logging: pino for the process, with the Temporal SDK's own logs routed into it. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { BridgeConfig } from '.';
import { histogramBuckets, processMetrics, ServiceMetrics, type MetricDefinition } from './metrics';

const temporalLevels: Record<BridgeConfig['logLevel'], LogLevel> = {
  fatal: 'ERROR',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
  silent: 'ERROR',
};

/**
 * Creates the process logger and, once per process, routes the Temporal runtime's logs to it; with a
 * `metricsAddress` the runtime also serves Prometheus metrics there: the SDK's own (task latencies,
 * activity failures, …), the workflows' (`byoi_agent_events_total{outcome}`), the service-level metrics
 * (config/metrics.ts: {@link createServiceMetrics}) and the process's memory (`byoi_process_*_bytes{process}`:
 * see {@link reportMemory}). It writes to stdout, or to `destination` (the main job's run log).
 */
export function createLogger(
  level: BridgeConfig['logLevel'],
  name: string,
  metricsAddress?: string,
  destination?: DestinationStream,
): Logger {
  // Belt and braces: no code logs the config object, and if one ever does, the secret stays out.
  const options = { name, level, redact: ['clientSecret', '*.clientSecret', '*.*.clientSecret'] };
  const logger = destination ? pino(options, destination) : pino(options);
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    Runtime.install({
      logger: new DefaultLogger(temporalLevels[level], ({ level: entryLevel, message, meta }) => {
        const method =
          entryLevel === 'TRACE'
            ? 'trace'
            : entryLevel === 'DEBUG'
              ? 'debug'
              : entryLevel === 'INFO'
                ? 'info'
                : entryLevel === 'WARN'
                  ? 'warn'
                  : 'error';
        logger[method]({ ...meta, component: 'temporal' }, message);
      }),
      ...(metricsAddress
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: {
                  bindAddress: metricsAddress,
                  countersTotalSuffix: true,
                  histogramBucketOverrides: histogramBuckets,
                },
              },
            },
          }
        : {}),
    });
    if (metricsAddress) reportMemory(name);
  }
  return logger;
}

/**
 * The service-level metrics of a process (after {@link createLogger}): on the runtime's meter, so on the
 * same `/metrics` as the SDK's, when the process has a metrics address; else instruments that record nothing.
 */
export function createServiceMetrics(metricsAddress: string | undefined): ServiceMetrics {
  return metricsAddress ? new ServiceMetrics(Runtime.instance().metricMeter) : ServiceMetrics.none;
}

/** How often the memory gauges are sampled: the soak reads them once a minute. */
const memorySampleMs = 15_000;

/**
 * The process's memory as gauges of the runtime's meter: resident set (every thread, the workflow threads'
 * V8 heaps included) and the main thread's V8 heap, used and reserved, and external (buffers).
 */
function reportMemory(process: string): void {
  const meter = Runtime.instance().metricMeter;
  const gauge = ({ name, help }: MetricDefinition) => meter.createGauge(name, 'int', 'bytes', help);
  const gauges = {
    rss: gauge(processMetrics.residentMemory),
    heapUsed: gauge(processMetrics.heapUsed),
    heapTotal: gauge(processMetrics.heapTotal),
    external: gauge(processMetrics.externalMemory),
  };
  const sample = () => {
    const usage = globalThis.process.memoryUsage();
    for (const [key, metric] of Object.entries(gauges)) {
      metric.set(usage[key as keyof typeof gauges], { process });
    }
  };
  sample();
  setInterval(sample, memorySampleMs).unref();
}

let runtimeInstalled = false;
