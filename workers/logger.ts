/** Structured logging: pino for the process, with the Temporal SDK's own logs routed into it. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import type { BridgeConfig } from './config';

const temporalLevels: Record<BridgeConfig['logLevel'], LogLevel> = {
  fatal: 'ERROR',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
  silent: 'ERROR',
};

/** Creates the process logger and, once per process, routes the Temporal runtime's logs to it. */
export function createLogger(level: BridgeConfig['logLevel'], name: string): Logger {
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
    });
  }
  return logger;
}

let runtimeInstalled = false;
