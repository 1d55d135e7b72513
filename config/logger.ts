/** Structured logging: pino for the process, with the Temporal SDK's own logs routed into it. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import type { BridgeConfig } from '.';

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
 * activity failures, …) and the workflows' (`byoi_agent_events_total{outcome}`).
 */
export function createLogger(level: BridgeConfig['logLevel'], name: string, metricsAddress?: string): Logger {
  // Belt and braces: no code logs the config object, and if one ever does, the secret stays out.
  const logger = pino({ name, level, redact: ['clientSecret', '*.clientSecret', '*.*.clientSecret'] });
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
              metrics: { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true } },
            },
          }
        : {}),
    });
  }
  return logger;
}

let runtimeInstalled = false;
