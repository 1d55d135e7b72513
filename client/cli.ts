/**
 * The operator CLI (`npm run cli -- <command>`). Today: the directory sync.
 *
 *   directory sync --snapshot <file|url> [--source acd]        run it now and print the report
 *   directory schedule --snapshot <file|url> [--every 1h]      create or update its Temporal Schedule
 *
 * Connection settings come from the environment like every bridge process (TEMPORAL_ADDRESS, …).
 */
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { snapshotLocationFrom } from '../activities/directory/load-snapshot';
import { loadConfig } from '../workers/config';
import { ensureDirectorySyncSchedule, formatDirectoryReport, runDirectorySync } from './directory-sync';

function interval(value: string): string {
  if (!/^\d+(ms|s|m|h|d)$/.test(value))
    throw new InvalidArgumentError('expected a duration such as 15m, 1h or 1d');
  return value;
}

async function withClient<T>(work: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    return await work(new Client({ connection, namespace: config.temporal.namespace }), config.taskQueue);
  } finally {
    await connection.close();
  }
}

const program = new Command('byoi').description('Operate byoi-bridge');
const directory = program
  .command('directory')
  .description('Sync users, queues, skills and wrap-up codes into Genesys');

directory
  .command('sync')
  .description('run the directory sync now (through its schedule if it has one) and print the report')
  .requiredOption('--snapshot <file|url>', 'the directory snapshot (JSON)')
  .option('--source <name>', 'the external source (its schedule and runs are named after it)', 'acd')
  .action(async (options: { snapshot: string; source: string }) => {
    const report = await withClient((client, taskQueue) =>
      runDirectorySync(client, {
        source: options.source,
        snapshot: snapshotLocationFrom(options.snapshot),
        taskQueue,
      }),
    );
    console.log(formatDirectoryReport(report));
    if (report.failures.length > 0) process.exitCode = 2;
  });

directory
  .command('schedule')
  .description('create or update the Temporal Schedule that runs the directory sync')
  .requiredOption('--snapshot <file|url>', 'the directory snapshot (JSON)')
  .option('--source <name>', 'the external source', 'acd')
  .option('--every <duration>', 'how often (e.g. 15m, 1h, 1d)', interval, '1h')
  .action(async (options: { snapshot: string; source: string; every: string }) => {
    await withClient((client, taskQueue) =>
      ensureDirectorySyncSchedule(client, {
        source: options.source,
        snapshot: snapshotLocationFrom(options.snapshot),
        taskQueue,
        interval: options.every,
      }),
    );
    console.log(
      `directory sync of ${options.source} scheduled every ${options.every} (schedule directory-sync/${options.source})`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
