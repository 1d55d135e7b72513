/**
 * The operator CLI (`npm run cli -- <command>`): the directory sync and the conversations.
 *
 *   directory sync [--snapshot <file|url>] [--source acd]       run it now and print the report
 *   directory schedule [--snapshot <file|url>] [--every 1h]     create or update its Temporal Schedule
 *   conversation list [--status Blocked] [--source acd] [--query …]   running conversations
 *   conversation status <source> <interactionId>                      one conversation, explained
 *   conversation retry|skip|abandon <source> <interactionId>          act on one (…or on every one
 *     [--query …] [--event-id id] [--reason text]                       a visibility query matches)
 *
 * Settings come from the environment like every bridge process (TEMPORAL_ADDRESS, BYOI_SOURCE,
 * BYOI_DIRECTORY_SNAPSHOT, BYOI_DIRECTORY_SYNC_INTERVAL, …); flags override them.
 */
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { snapshotLocationFrom } from '../domain/directory/location';
import { sourceNameSchema } from '../domain/events/envelope';
import { loadConfig, type BridgeConfig } from '../config';
import {
  actOnConversations,
  conversationQuery,
  conversationStatus,
  formatConversationStatus,
  listConversations,
  type ConversationAction,
  type ConversationSelection,
} from './library/conversation-operations';
import {
  directoryScheduleId,
  ensureDirectorySyncSchedule,
  formatDirectoryReport,
  runDirectorySync,
} from './library/directory-sync';

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

const conversation = program
  .command('conversation')
  .description('Find and operate conversation workflows (retry, skip an event, abandon)');

conversation
  .command('list')
  .description('list running conversations, by status, source or a visibility query')
  .option('--status <status>', 'e.g. Blocked, WaitingForMapping, WaitingForRecording')
  .option('--source <name>', 'the external source')
  .option('--query <query>', 'a further visibility query, e.g. "StartTime < \'2026-12-01T00:00:00Z\'"')
  .action(async (flags: { status?: string; source?: string; query?: string }) => {
    const found = await withClient((client) => listConversations(client, conversationQuery(flags)));
    for (const each of found) {
      console.log(`${each.workflowId}\t${each.status}\t${each.conversationId ?? '-'}`);
    }
    console.log(`${found.length} conversations`);
  });

conversation
  .command('status <source> <interactionId>')
  .description("show a conversation's legs, pending events, recording and ledger")
  .action(async (source: string, interactionId: string) => {
    const status = await withClient((client) => conversationStatus(client, source, interactionId));
    console.log(formatConversationStatus(status));
  });

/** One conversation by its ids, or every one a query matches; never both, never neither. */
function selection(
  source: string | undefined,
  interactionId: string | undefined,
  query?: string,
): ConversationSelection {
  if (query !== undefined && source === undefined) return { query };
  if (query === undefined && source !== undefined && interactionId !== undefined)
    return { source, interactionId };
  throw new InvalidArgumentError(
    'name one conversation (<source> <interactionId>) or pass --query, not both',
  );
}

function operation(name: string, description: string, action: (flags: OperationFlags) => ConversationAction) {
  return conversation
    .command(`${name} [source] [interactionId]`)
    .description(description)
    .option('--query <query>', 'act on every running conversation this visibility query matches')
    .action(async (source: string | undefined, interactionId: string | undefined, flags: OperationFlags) => {
      const chosen = selection(source, interactionId, flags.query);
      const outcomes = await withClient((client) => actOnConversations(client, chosen, action(flags)));
      for (const outcome of outcomes) {
        console.log(`${outcome.workflowId}: ${outcome.done ? '' : 'refused: '}${outcome.message}`);
      }
      if (outcomes.length === 0) console.log('no conversation matched');
      if (outcomes.some((outcome) => !outcome.done)) process.exitCode = 2;
    });
}

interface OperationFlags {
  query?: string;
  eventId?: string;
  reason?: string;
}

operation('retry', 'try the blocked event again (after a fix, e.g. a mapping)', () => ({ kind: 'retry' }));
operation('skip', 'drop a pending event (by default the blocked one) into the ledger', (flags) => ({
  kind: 'skip',
  eventId: flags.eventId,
})).option('--event-id <id>', 'the pending event to skip (default: the blocked one)');
operation('abandon', 'end the live legs in Genesys and complete the conversation', (flags) => ({
  kind: 'abandon',
  reason: flags.reason ?? '',
})).requiredOption('--reason <text>', 'why, for the record');

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
