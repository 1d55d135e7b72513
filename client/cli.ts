/**
 * The operator CLI (`npm run cli -- <command>`). Today: the directory sync.
 *
 *   directory sync [--snapshot <file|url>] [--source acd]       run it now and print the report
 *   directory schedule [--snapshot <file|url>] [--every 1h]     create or update its Temporal Schedule
 *
 * Settings come from the environment like every bridge process (TEMPORAL_ADDRESS, BYOI_SOURCE,
 * BYOI_DIRECTORY_SNAPSHOT, BYOI_DIRECTORY_SYNC_INTERVAL, …); flags override them.
 */
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { snapshotLocationFrom } from '../activities/directory/load-snapshot';
import { sourceNameSchema } from '../activities/events/envelope';
import { loadConfig, type BridgeConfig } from '../workers/config';
import {
  directoryScheduleId,
  ensureDirectorySyncSchedule,
  formatDirectoryReport,
  runDirectorySync,
} from './directory-sync';

interface DirectoryFlags {
  snapshot?: string;
  source?: string;
  every?: string;
}

function interval(value: string): string {
  if (!/^\d+(s|m|h|d)$/.test(value))
    throw new InvalidArgumentError('expected a duration such as 15m, 1h or 1d');
  return value;
}

async function withClient<T>(work: (client: Client, config: BridgeConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    return await work(new Client({ connection, namespace: config.temporal.namespace }), config);
  } finally {
    await connection.close();
  }
}

/** The sync's options from the flags, else from the environment. */
function syncOptions(flags: DirectoryFlags, config: BridgeConfig) {
  const snapshot =
    flags.snapshot === undefined ? config.directory.snapshot : snapshotLocationFrom(flags.snapshot);
  if (snapshot === undefined) throw new Error('no snapshot: pass --snapshot or set BYOI_DIRECTORY_SNAPSHOT');
  const source = flags.source ?? config.directory.source;
  const checked = sourceNameSchema.safeParse(source);
  if (!checked.success) throw new Error(`--source ${source}: ${checked.error.issues[0]?.message}`);
  return { source, snapshot, taskQueue: config.taskQueue };
}

const program = new Command('byoi').description('Operate byoi-bridge');
const directory = program
  .command('directory')
  .description('Sync users, queues, skills and wrap-up codes into Genesys');

directory
  .command('sync')
  .description('run the directory sync now (through its schedule if it has one) and print the report')
  .option('--snapshot <file|url>', 'the directory snapshot (JSON); default BYOI_DIRECTORY_SNAPSHOT')
  .option('--source <name>', 'the external source; default BYOI_SOURCE')
  .action(async (flags: DirectoryFlags) => {
    const report = await withClient((client, config) => runDirectorySync(client, syncOptions(flags, config)));
    console.log(formatDirectoryReport(report));
    if (report.failures.length > 0) process.exitCode = 2;
  });

directory
  .command('schedule')
  .description('create or update the Temporal Schedule that runs the directory sync')
  .option('--snapshot <file|url>', 'the directory snapshot (JSON); default BYOI_DIRECTORY_SNAPSHOT')
  .option('--source <name>', 'the external source; default BYOI_SOURCE')
  .option('--every <duration>', 'how often (15m, 1h, 1d); default BYOI_DIRECTORY_SYNC_INTERVAL', interval)
  .action(async (flags: DirectoryFlags) => {
    const scheduled = await withClient(async (client, config) => {
      const options = {
        ...syncOptions(flags, config),
        interval: flags.every ?? config.directory.syncInterval,
      };
      await ensureDirectorySyncSchedule(client, options);
      return options;
    });
    console.log(
      `directory sync of ${scheduled.source} scheduled every ${scheduled.interval} (schedule ${directoryScheduleId(scheduled.source)})`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
