/**
 * The one way in for configuration: a single zod schema turns the environment into a typed config
 * object at process start and reports every problem at once. Nothing else reads `process.env`.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z
  .string()
  .regex(/^\d+$/, 'must be a port number')
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, 'must be a port number from 1 to 65535')
      .max(65535, 'must be a port number from 1 to 65535'),
  );

const environmentSchema = z.object({
  BYOI_TASK_QUEUE: z.string().min(1).default('byoi-bridge'),
  BYOI_LOG_LEVEL: z.enum(logLevels).default('info'),
  BYOI_DATA_DIR: z.string().min(1).default('.data'),
  BYOI_DEV_SERVER_IP: z.string().min(1).default('127.0.0.1'),
  BYOI_DEV_SERVER_PORT: port.default(7233),
  BYOI_DEV_SERVER_UI_PORT: port.default(8233),
  BYOI_DEV_SERVER_DB: z.string().min(1).optional(),
});

/** Where and how the bridge reaches Temporal: resolved by Temporal's own envconfig convention. */
export interface TemporalConnectionConfig {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

/** The bridge's typed configuration. */
export interface BridgeConfig {
  temporal: TemporalConnectionConfig;
  taskQueue: string;
  logLevel: (typeof logLevels)[number];
  /** Folder for local state: the dev server's SQLite file, recorded reports. */
  dataDir: string;
  devServer: { ip: string; port: number; uiPort: number; dbFile: string };
}

/** Thrown when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (by default `process.env`) into a {@link BridgeConfig}. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  let temporal: TemporalConnectionConfig | undefined;
  try {
    temporal = loadTemporalConnection(env);
  } catch (error) {
    problems.push(`TEMPORAL_*: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!parsed.success || temporal === undefined) throw new ConfigError(problems);
  const settings = parsed.data;
  return {
    temporal,
    taskQueue: settings.BYOI_TASK_QUEUE,
    logLevel: settings.BYOI_LOG_LEVEL,
    dataDir: settings.BYOI_DATA_DIR,
    devServer: {
      ip: settings.BYOI_DEV_SERVER_IP,
      port: settings.BYOI_DEV_SERVER_PORT,
      uiPort: settings.BYOI_DEV_SERVER_UI_PORT,
      dbFile: settings.BYOI_DEV_SERVER_DB ?? `${settings.BYOI_DATA_DIR}/temporal.sqlite`,
    },
  };
}

// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the TOML
// profile file follow Temporal's convention, so the same worker reaches the dev server, a self-hosted
// cluster or Temporal Cloud without code changes. Without an address the embedded dev server is meant.
function loadTemporalConnection(env: NodeJS.ProcessEnv): TemporalConnectionConfig {
  const variables = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: variables });
  const devServer = `${env.BYOI_DEV_SERVER_IP ?? '127.0.0.1'}:${env.BYOI_DEV_SERVER_PORT ?? '7233'}`;
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? devServer },
    namespace: namespace ?? 'default',
  };
}
