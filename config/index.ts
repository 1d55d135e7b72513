/**
 * The one way in for configuration: a single zod schema turns the environment into a typed config
 * object at process start and reports every problem at once. Nothing else reads `process.env`.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { sourceNameSchema } from '../domain/events/envelope';
import { snapshotLocationFrom, type SnapshotLocation } from '../domain/directory/location';
import { genesysLimits } from '../domain/genesys';
import { hostsForRegion, type GenesysHosts } from '../domain/genesys/regions';
import { codecKeysFrom } from './codec-keys';
import { bridgeDataConverter } from './data-converter';
import { publicUrlSchema, trustProxySchema } from './ingress-proxy';
import type { CodecKeys } from './payload-codec';
import {
  ingressSecurityConfig,
  rateLimitsSchema,
  refusalLimitSchema,
  textSetting,
  tlsFiles,
  type IngressSecurityConfig,
  type TlsFiles,
} from './ingress-security';
import {
  recordingCredentialList,
  recordingExpectationList,
  recordingOriginList,
  recordingsConfig,
  type RecordingsConfig,
} from './recordings';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const wholeNumber = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1'));

/** A whole number of milliseconds, zero included, up to a minute. */
const milliseconds = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of milliseconds')
  .transform(Number)
  .pipe(z.number().max(60_000, 'must be at most 60000 (a minute)'));

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

/** `source:secret,source:secret…`: the secrets each source may authenticate with at the ingress. */
const credentialList = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]{1,64}:[^,\s]+(,[A-Za-z0-9._-]{1,64}:[^,\s]+)*$/,
    'must be source:secret pairs separated by commas, e.g. acd:s3cr3t,crm:an0th3r',
  );

/** Where a process serves Prometheus `/metrics`. */
const metricsAddressSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464');

/** Every environment variable the bridge reads (besides Temporal's own `TEMPORAL_*`), with its default. */
export const environmentSchema = z.object({
  BYOI_TASK_QUEUE: z.string().min(1).default('byoi-bridge'),
  BYOI_LOG_LEVEL: z.enum(logLevels).default('info'),
  BYOI_DATA_DIR: z.string().min(1).default('.data'),
  BYOI_DEV_SERVER_IP: z.string().min(1).default('127.0.0.1'),
  BYOI_DEV_SERVER_PORT: port.default(7233),
  BYOI_DEV_SERVER_UI_PORT: port.default(8233),
  BYOI_DEV_SERVER_DB: z.string().min(1).optional(),
  BYOI_SIMULATOR_PORT: port.default(8090),
  BYOI_SOURCE: sourceNameSchema.default('acd'),
  BYOI_DIRECTORY_SNAPSHOT: z.string().min(1).optional(),
  BYOI_DIRECTORY_SYNC_INTERVAL: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'must be a duration such as 15m, 1h or 1d')
    .default('1h'),
  BYOI_RECORDING_SPOOL_DIR: z.string().min(1).optional(),
  BYOI_RECORDING_ORIGINS: recordingOriginList.schema.optional(),
  BYOI_RECORDING_CREDENTIALS: recordingCredentialList.schema.optional(),
  BYOI_EXPECT_RECORDINGS: recordingExpectationList.schema.optional(),
  BYOI_S3_REGION: z.string().min(1).optional(),
  BYOI_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  BYOI_MAX_CACHED_WORKFLOWS: wholeNumber.default(10_000),
  BYOI_MAX_CONCURRENT_WORKFLOW_TASKS: wholeNumber.default(500),
  BYOI_WORKFLOW_THREADS: wholeNumber.default(1),
  BYOI_INGRESS_HOST: z.string().min(1).default('127.0.0.1'),
  BYOI_INGRESS_PORT: port.default(8080),
  BYOI_INGRESS_TOKENS: credentialList.optional(),
  BYOI_INGRESS_HMAC_SECRETS: credentialList.optional(),
  BYOI_INGRESS_TWILIO_AUTH_TOKENS: credentialList.optional(),
  BYOI_INGRESS_PUBLIC_URL: publicUrlSchema.optional(),
  BYOI_INGRESS_TRUST_PROXY: trustProxySchema.default(false),
  BYOI_INGRESS_TLS_CERT: z.string().min(1).optional(),
  BYOI_INGRESS_TLS_KEY: z.string().min(1).optional(),
  BYOI_INGRESS_TLS_CHAIN: z.string().min(1).optional(),
  BYOI_INGRESS_SECRETS_FILE: z.string().min(1).optional(),
  BYOI_INGRESS_RATE_LIMITS: textSetting(rateLimitsSchema).default('off'),
  BYOI_INGRESS_AUTH_FAILURE_LIMIT: textSetting(refusalLimitSchema).default('30/m'),
  BYOI_ADAPTER_MAPPINGS: z.string().min(1).optional(),
  BYOI_REORDER_WINDOW_MS: milliseconds.default(500),
  BYOI_AGENT_HISTORY_EVENTS: wholeNumber
    .pipe(
      z
        .number()
        .min(20, 'must be at least 20 (each continue-as-new costs history events of its own)')
        .max(10_000, 'must be at most 10000 (Temporal warns at 10,240 events)'),
    )
    // The agent workflow's own default (test/config.test.ts holds them equal).
    .default(500),
  BYOI_METRICS_ADDRESS: metricsAddressSchema.optional(),
  BYOI_INGRESS_METRICS_ADDRESS: metricsAddressSchema.optional(),
  BYOI_WORKFLOW_STATUS_INTERVAL: z
    .string()
    .regex(/^(off|[1-9]\d*(s|m|h))$/, 'must be off or a duration such as 30s, 1m or 1h')
    .default('1m'),
  GENESYS_REGION: z.string().min(1).optional(),
  GENESYS_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  GENESYS_LOGIN_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  GENESYS_CLIENT_ID: z.string().min(1).optional(),
  GENESYS_CLIENT_SECRET: z.string().min(1).optional(),
  GENESYS_REQUESTS_PER_MINUTE: wholeNumber.default(genesysLimits.defaultRequestsPerMinute),
  GENESYS_BUDGET_SHARED_BY: wholeNumber.default(1),
  GENESYS_BUDGET_HEADROOM: z.coerce.number().min(0).max(0.9).default(0.1),
  BYOI_MAX_EVENTS_PER_BATCH: wholeNumber
    .pipe(z.number().max(genesysLimits.maxEventsPerBatch))
    .default(genesysLimits.maxEventsPerBatch),
  BYOI_MAX_BATCH_BYTES: wholeNumber
    .pipe(z.number().max(genesysLimits.maxBatchBytes))
    .default(genesysLimits.maxBatchBytes),
  BYOI_PUBLISH_INTERVAL_MS: milliseconds.default(400),
  BYOI_CODEC_KEYS: z.string().min(1).optional(),
  BYOI_CODEC_KEY_FILE: z.string().min(1).optional(),
  BYOI_CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  BYOI_CODEC_SERVER_PORT: port.default(8234),
  BYOI_CODEC_SERVER_TOKENS: z
    .string()
    .regex(/^[^,\s]{16,}(,[^,\s]{16,})*$/, 'must be tokens of at least 16 characters separated by commas')
    .optional(),
  BYOI_CODEC_SERVER_TLS_CERT: z.string().min(1).optional(),
  BYOI_CODEC_SERVER_TLS_KEY: z.string().min(1).optional(),
  BYOI_CODEC_SERVER_ORIGINS: z
    .string()
    .regex(
      /^https?:\/\/[^,\s/]+(,https?:\/\/[^,\s/]+)*$/,
      'must be origins (scheme://host:port) separated by commas, e.g. http://127.0.0.1:8233',
    )
    .optional(),
});

/** Where and how the bridge reaches Temporal: resolved by Temporal's own envconfig convention. */
export interface TemporalConnectionConfig {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

/** The bridge's typed configuration. */
export interface BridgeConfig {
  temporal: TemporalConnectionConfig;
  /**
   * How this process writes and reads Temporal payloads: sealed with the codec's keys when it has some
   * (docs/security.md). Every client and worker of the bridge uses it.
   */
  dataConverter: DataConverter;
  /** The payload codec's keys (never logged); undefined: payloads are written in plain JSON. */
  codecKeys: CodecKeys | undefined;
  /** The codec server (`npm run codec-server`): where it listens, whom it answers, which pages may call it. */
  codecServer: {
    host: string;
    port: number;
    tokens: string[];
    origins: string[];
    /** Certificate and key files (PEM) to serve HTTPS with. */
    tls: TlsFiles | undefined;
  };
  taskQueue: string;
  logLevel: (typeof logLevels)[number];
  /** Folder for local state: the dev server's SQLite file, recorded reports. */
  dataDir: string;
  devServer: { ip: string; port: number; uiPort: number; dbFile: string };
  /** Where the demo's embedded Genesys simulator listens (loopback). */
  simulator: { port: number };
  /** The external source and where its directory snapshot comes from. */
  directory: { source: string; snapshot: SnapshotLocation | undefined; syncInterval: string };
  /** Genesys Cloud (or the simulator); undefined when the environment names neither. */
  genesys: GenesysConfig | undefined;
  /** Where the worker serves Prometheus metrics (`/metrics`); none when undefined. */
  metricsAddress: string | undefined;
  /**
   * How often a worker with a metrics address counts workflows by status into `byoi_workflows`; undefined
   * (`off`) on all workers of a fleet but one.
   */
  workflowStatusIntervalMs: number | undefined;
  /** Where recordings are spooled on their way to Genesys (default: the OS temp directory). */
  recordingSpoolDir: string | undefined;
  /** Where each source's recordings may come from, with what credentials, and which calls expect one. */
  recordings: RecordingsConfig;
  /**
   * Workflows a worker keeps in memory between their tasks (default 10,000: the seed's 4,000 agents and
   * its live conversations, where the SDK's heap-based default held 2,310 here). One that is evicted
   * replays its whole history on its next task: it should hold every agent and live conversation the
   * worker serves.
   */
  maxCachedWorkflows: number;
  /**
   * Workflow tasks (and local activities) a worker runs at once (default 500; the SDK's is 40). A task
   * holds its slot while its local activity waits for the publisher's next request, so slots, not CPU,
   * bound a busy worker: with 100 the seed's workflow tasks waited 4.8 s on average for one while the
   * worker used 0.6 of a core.
   */
  maxConcurrentWorkflowTasks: number;
  /**
   * Threads that run workflow code (default 1): every workflow of a thread shares its V8 context and its
   * tasks run one at a time.
   */
  workflowThreads: number;
  /** The HTTP ingress: where it listens, the credentials of each source (never logged), its TLS and limits. */
  ingress: IngressSecurityConfig & {
    host: string;
    port: number;
    sources: Record<string, IngressCredentials>;
    /** A JSON file of the vendor adapters' mappings (client/ingress/adapters: AdapterMappings). */
    adapterMappings: string | undefined;
    /** The ingress's base URL as vendors call it, which their webhook signatures cover; default: as requested. */
    publicUrl: string | undefined;
    /** Which proxies' `X-Forwarded-*` headers the ingress believes (Fastify's `trustProxy`). */
    trustProxy: boolean | number | string[];
    /** Where the ingress serves Prometheus `/metrics` (its process's memory and the SDK's client metrics). */
    metricsAddress: string | undefined;
    /**
     * How long a new agent or conversation workflow holds each event for an earlier one that is still on
     * its way: every event waits this long, so it is the floor of the latency to Genesys.
     */
    reorderWindowMs: number;
    /**
     * An agent workflow continues as new after this many history events. A worker keeps every cached
     * run's state machines until the run ends, so this bounds an agent's memory in the worker.
     */
    agentHistoryEvents: number;
  };
}

/** How the worker reaches Genesys. The secret stays in the worker's memory: never logged, never in a workflow. */
export interface GenesysConfig {
  hosts: GenesysHosts;
  clientId: string;
  clientSecret: string;
  /** The OAuth client's budget, which `budgetSharedBy` worker processes (default 1) share equally. */
  requestsPerMinute: number;
  budgetSharedBy?: number;
  budgetHeadroom: number;
  maxEventsPerBatch: number;
  maxBatchBytes: number;
  /** Least time between two requests of one event endpoint while its batch is not full. */
  publishIntervalMs: number;
}

/** How one source authenticates at the ingress. */
export interface IngressCredentials {
  tokens: string[];
  hmacSecrets: string[];
  twilioAuthTokens: string[];
}

/** Each source's credentials from the `source:secret` lists, one list per kind. */
function ingressSources(lists: Record<keyof IngressCredentials, string | undefined>) {
  const sources: Record<string, IngressCredentials> = {};
  for (const [kind, list] of Object.entries(lists) as [keyof IngressCredentials, string | undefined][]) {
    for (const pair of list?.split(',') ?? []) {
      const at = pair.indexOf(':');
      const source = pair.slice(0, at);
      (sources[source] ??= { tokens: [], hmacSecrets: [], twilioAuthTokens: [] })[kind].push(
        pair.slice(at + 1),
      );
    }
  }
  return sources;
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
  const genesys = parsed.success ? resolveGenesys(parsed.data, problems) : undefined;
  let directorySnapshot: SnapshotLocation | undefined;
  if (parsed.success && parsed.data.BYOI_DIRECTORY_SNAPSHOT !== undefined) {
    try {
      directorySnapshot = snapshotLocationFrom(parsed.data.BYOI_DIRECTORY_SNAPSHOT);
    } catch {
      problems.push('BYOI_DIRECTORY_SNAPSHOT: must be a file path or an http(s) URL');
    }
  }
  const recordings = parsed.success
    ? recordingsConfig(
        {
          origins: parsed.data.BYOI_RECORDING_ORIGINS,
          credentials: parsed.data.BYOI_RECORDING_CREDENTIALS,
          expect: parsed.data.BYOI_EXPECT_RECORDINGS,
          s3Region: parsed.data.BYOI_S3_REGION,
          s3Endpoint: parsed.data.BYOI_S3_ENDPOINT,
        },
        problems,
      )
    : undefined;
  const codecServerTls = parsed.success
    ? tlsFiles(
        'BYOI_CODEC_SERVER_TLS',
        { cert: parsed.data.BYOI_CODEC_SERVER_TLS_CERT, key: parsed.data.BYOI_CODEC_SERVER_TLS_KEY },
        problems,
      )
    : undefined;
  const codecKeys = parsed.success
    ? codecKeysFrom({ keys: parsed.data.BYOI_CODEC_KEYS, keyFile: parsed.data.BYOI_CODEC_KEY_FILE }, problems)
    : undefined;
  const ingressSecurity = parsed.success ? ingressSecurityConfig(parsed.data, problems) : undefined;
  if (
    !parsed.success ||
    temporal === undefined ||
    recordings === undefined ||
    ingressSecurity === undefined ||
    problems.length > 0
  )
    throw new ConfigError(problems);
  const settings = parsed.data;
  return {
    temporal,
    dataConverter: bridgeDataConverter(codecKeys),
    codecKeys,
    codecServer: {
      host: settings.BYOI_CODEC_SERVER_HOST,
      port: settings.BYOI_CODEC_SERVER_PORT,
      tokens: settings.BYOI_CODEC_SERVER_TOKENS?.split(',') ?? [],
      tls: codecServerTls,
      // The embedded dev server's Web UI, by address and by name, unless told otherwise.
      origins: settings.BYOI_CODEC_SERVER_ORIGINS?.split(',') ?? [
        `http://${settings.BYOI_DEV_SERVER_IP}:${settings.BYOI_DEV_SERVER_UI_PORT}`,
        `http://localhost:${settings.BYOI_DEV_SERVER_UI_PORT}`,
      ],
    },
    taskQueue: settings.BYOI_TASK_QUEUE,
    logLevel: settings.BYOI_LOG_LEVEL,
    dataDir: settings.BYOI_DATA_DIR,
    devServer: {
      ip: settings.BYOI_DEV_SERVER_IP,
      port: settings.BYOI_DEV_SERVER_PORT,
      uiPort: settings.BYOI_DEV_SERVER_UI_PORT,
      dbFile: settings.BYOI_DEV_SERVER_DB ?? `${settings.BYOI_DATA_DIR}/temporal.sqlite`,
    },
    simulator: { port: settings.BYOI_SIMULATOR_PORT },
    directory: {
      source: settings.BYOI_SOURCE,
      snapshot: directorySnapshot,
      syncInterval: settings.BYOI_DIRECTORY_SYNC_INTERVAL,
    },
    genesys,
    metricsAddress: settings.BYOI_METRICS_ADDRESS,
    workflowStatusIntervalMs: durationMs(settings.BYOI_WORKFLOW_STATUS_INTERVAL),
    recordingSpoolDir: settings.BYOI_RECORDING_SPOOL_DIR,
    recordings,
    maxCachedWorkflows: settings.BYOI_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTasks: settings.BYOI_MAX_CONCURRENT_WORKFLOW_TASKS,
    workflowThreads: settings.BYOI_WORKFLOW_THREADS,
    ingress: {
      host: settings.BYOI_INGRESS_HOST,
      port: settings.BYOI_INGRESS_PORT,
      adapterMappings: settings.BYOI_ADAPTER_MAPPINGS,
      publicUrl: settings.BYOI_INGRESS_PUBLIC_URL,
      trustProxy: settings.BYOI_INGRESS_TRUST_PROXY,
      ...ingressSecurity,
      metricsAddress: settings.BYOI_INGRESS_METRICS_ADDRESS,
      reorderWindowMs: settings.BYOI_REORDER_WINDOW_MS,
      agentHistoryEvents: settings.BYOI_AGENT_HISTORY_EVENTS,
      sources: ingressSources({
        tokens: settings.BYOI_INGRESS_TOKENS,
        hmacSecrets: settings.BYOI_INGRESS_HMAC_SECRETS,
        twilioAuthTokens: settings.BYOI_INGRESS_TWILIO_AUTH_TOKENS,
      }),
    },
  };
}

/** A duration such as `30s`, `1m` or `1h` in milliseconds; `off` is undefined. */
function durationMs(duration: string): number | undefined {
  if (duration === 'off') return undefined;
  const unitMs = { s: 1_000, m: 60_000, h: 3_600_000 }[duration.slice(-1) as 's' | 'm' | 'h'];
  return Number(duration.slice(0, -1)) * unitMs;
}

// Either a region (real Genesys Cloud) or explicit base URLs (the simulator, a proxy); credentials with both.
function resolveGenesys(
  settings: z.infer<typeof environmentSchema>,
  problems: string[],
): GenesysConfig | undefined {
  const {
    GENESYS_REGION: region,
    GENESYS_API_BASE_URL: apiBaseUrl,
    GENESYS_LOGIN_BASE_URL: loginBaseUrl,
  } = settings;
  const { GENESYS_CLIENT_ID: clientId, GENESYS_CLIENT_SECRET: clientSecret } = settings;
  if (!region && !apiBaseUrl && !clientId && !clientSecret) return undefined;
  let hosts: GenesysHosts | undefined;
  if (region && apiBaseUrl) problems.push('GENESYS_REGION and GENESYS_API_BASE_URL: set one, not both');
  else if (region) {
    try {
      hosts = hostsForRegion(region);
    } catch (error) {
      problems.push(`GENESYS_REGION: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (apiBaseUrl) {
    hosts = {
      apiBaseUrl: apiBaseUrl.replace(/\/$/, ''),
      loginBaseUrl: (loginBaseUrl ?? apiBaseUrl).replace(/\/$/, ''),
    };
  } else problems.push('GENESYS_REGION: required (or GENESYS_API_BASE_URL) when Genesys credentials are set');
  if (!clientId) problems.push('GENESYS_CLIENT_ID: required to reach Genesys');
  if (!clientSecret) problems.push('GENESYS_CLIENT_SECRET: required to reach Genesys');
  if (!hosts || !clientId || !clientSecret) return undefined;
  return {
    hosts,
    clientId,
    clientSecret,
    requestsPerMinute: settings.GENESYS_REQUESTS_PER_MINUTE,
    budgetSharedBy: settings.GENESYS_BUDGET_SHARED_BY,
    budgetHeadroom: settings.GENESYS_BUDGET_HEADROOM,
    maxEventsPerBatch: settings.BYOI_MAX_EVENTS_PER_BATCH,
    maxBatchBytes: settings.BYOI_MAX_BATCH_BYTES,
    publishIntervalMs: settings.BYOI_PUBLISH_INTERVAL_MS,
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
