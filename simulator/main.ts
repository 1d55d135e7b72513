/**
 * `npm run simulator -- [options]`: runs the Genesys Cloud simulator until SIGINT/SIGTERM. Point the
 * bridge at it with `GENESYS_API_BASE_URL=<url>` and the simulator's OAuth client.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { createSimulator, defaultSeed, defaultSimulatorClient } from './index';
import { faultPlanSchema } from './faults';
import { organizationSeedSchema } from './seed';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return parsed;
}

function jsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const program = new Command('simulator')
  .description(
    'The Genesys Cloud simulator: BYOI event, recording and directory APIs with their limits and rules',
  )
  .option('--host <host>', 'address to listen on (loopback by default)', '127.0.0.1')
  .option('--port <port>', 'port to listen on; 0 picks a free one', integer, 8090)
  .option('--seed <seed>', 'seeds entity ids and injected faults', integer, 1)
  .option('--agents <count>', 'external agents the default organisation starts with', integer, 0)
  .option('--source-name <name>', 'external source of those agents', 'acd')
  .option('--organization <file>', 'a JSON organisation seed instead of the default one', jsonFile)
  .option('--requests-per-minute <count>', 'rate limit per token', integer)
  .addOption(
    new Option('--rate-limit-by <what>', 'what a rate limit counts: each token, or each OAuth client')
      .choices(['token', 'client'])
      .default('token'),
  )
  .option('--rate-limit-window-ms <ms>', 'rate-limit window (a minute in Genesys)', integer)
  .option('--max-events-per-batch <count>', 'events per batch before 413', integer)
  .option('--max-batch-bytes <bytes>', 'batch body bytes before 413', integer)
  .option('--faults <file>', 'a JSON fault plan (see simulator/faults.ts)', jsonFile)
  .option('--upload-dir <dir>', 'keep uploaded recordings here instead of a temporary folder')
  .option(
    '--consistency-grace-ms <ms>',
    'how long presence and routing status may disagree before /__simulator/consistency lists it',
    integer,
  );

async function main(): Promise<void> {
  const options = program.parse().opts<{
    host: string;
    port: number;
    seed: number;
    agents: number;
    sourceName: string;
    organization?: unknown;
    requestsPerMinute?: number;
    rateLimitBy: 'token' | 'client';
    rateLimitWindowMs?: number;
    maxEventsPerBatch?: number;
    maxBatchBytes?: number;
    faults?: unknown;
    uploadDir?: string;
    consistencyGraceMs?: number;
  }>();
  const logger = pino({ name: 'genesys-simulator' });
  const organization =
    options.organization === undefined
      ? defaultSeed({ seed: options.seed, agents: options.agents, sourceName: options.sourceName })
      : organizationSeedSchema.parse(options.organization);
  const simulator = await createSimulator({
    host: options.host,
    port: options.port,
    organization,
    uploadDir: options.uploadDir,
    consistencyGraceMs: options.consistencyGraceMs,
    faults: faultPlanSchema.parse(options.faults ?? { seed: options.seed }),
    limits: {
      requestsPerWindow: options.requestsPerMinute,
      rateLimitBy: options.rateLimitBy,
      rateLimitWindowMs: options.rateLimitWindowMs,
      maxEventsPerBatch: options.maxEventsPerBatch,
      maxBatchBytes: options.maxBatchBytes,
    },
  });
  logger.info(
    {
      url: simulator.url,
      inspection: `${simulator.url}/__simulator/`,
      clientId: defaultSimulatorClient.clientId,
      users: organization.users.length,
      queues: organization.queues.length,
    },
    'Genesys simulator listening',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
