/**
 * The operator CLI (`npm run cli -- <command>`): why a workflow is where it is, the directory sync and
 * the conversations.
 *
 *   explain agent|conversation <source> <id> [--json]           status, pending work, ledger, failure, what to do
 *   directory sync [--snapshot <file|url>] [--source acd]       run it now and print the report
 *   directory schedule [--snapshot <file|url>] [--every 1h]     create or update its Temporal Schedule
 *   conversation list [--status Blocked] [--source acd] [--query …]   running conversations
 *   conversation status <source> <interactionId>                      one conversation's status query
 *   conversation retry|skip|abandon <source> <interactionId>          act on one
 *     [--event-id id] [--reason text]
 *   conversation retry|skip|abandon --status|--source|--query …       every one they match: a dry run
 *     [--yes] [--concurrency 4]                                         unless --yes
 *
 * Settings come from the environment like every bridge process (TEMPORAL_ADDRESS, BYOI_SOURCE,
 * BYOI_DIRECTORY_SNAPSHOT, BYOI_DIRECTORY_SYNC_INTERVAL, …); flags override them.
 */
import { Client, Connection } from '@temporalio/client';
import { Argument, Command, InvalidArgumentError } from 'commander';
import { wholeNumber } from './arguments';
import { snapshotLocationFrom } from '../domain/directory/location';
import { sourceNameSchema } from '../domain/events/envelope';
import { loadConfig, type BridgeConfig } from '../config';
import {
  applyPlannedActions,
  defaultConcurrency,
  formatPlan,
  formatSummary,
  planConversationActions,
} from './library/bulk-actions';
import { conversationWorkflowId } from './library/conversation-events';
import {
  actOnConversation,
  conversationQuery,
  conversationStatus,
  formatConversationStatus,
  listConversations,
  type ConversationAction,
} from './library/conversation-operations';
import { newKeyEntry } from '../config/codec-keys';
import { formatExplanation } from './library/explanation-text';
import { cliCommand, shellWord } from './library/operator-advice';
import { explainWorkflow, type EntityKind } from './library/workflow-explanation';
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
    return await work(
      new Client({ connection, namespace: config.temporal.namespace, dataConverter: config.dataConverter }),
      config,
    );
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

program
  .command('explain')
  .description(
    'why an agent or a conversation is where it is: its status and reason, pending work and activities, ledger, last failure, and what to do',
  )
  .addArgument(new Argument('<kind>', 'what it is').choices(['agent', 'conversation']))
  .argument('<source>', 'the platform the events come from (BYOI_SOURCE)')
  .argument('<id>', "the platform's agent id or interaction id")
  .option('--json', 'print the explanation as JSON', false)
  .action(async (kind: EntityKind, source: string, id: string, flags: { json: boolean }) => {
    const explanation = await withClient((client, config) =>
      explainWorkflow(client, kind, source, id, { namespace: config.temporal.namespace }),
    );
    console.log(flags.json ? JSON.stringify(explanation, null, 2) : formatExplanation(explanation));
    if (!explanation.found) process.exitCode = 3;
  });
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

/** The flags of retry, skip and abandon. */
interface OperationFlags {
  query?: string;
  status?: string;
  source?: string;
  eventId?: string;
  reason?: string;
  yes: boolean;
  concurrency: number;
}

function operation(name: string, description: string, action: (flags: OperationFlags) => ConversationAction) {
  return conversation
    .command(`${name} [source] [interactionId]`)
    .description(description)
    .option(
      '--status <status>',
      'every running conversation in this status, e.g. Blocked (a dry run unless --yes)',
    )
    .option('--source <name>', 'every running conversation of this source (a dry run unless --yes)')
    .option(
      '--query <query>',
      'every running conversation this visibility query matches (a dry run unless --yes)',
    )
    .option(
      '--yes',
      'act on what --status, --source and --query match; without it, only show what would be done',
      false,
    )
    .option('--concurrency <n>', 'conversations read or acted on at once', wholeNumber(1), defaultConcurrency)
    .action(async (source: string | undefined, interactionId: string | undefined, flags: OperationFlags) => {
      const bulk = flags.status !== undefined || flags.source !== undefined || flags.query !== undefined;
      if (bulk && source !== undefined)
        throw new InvalidArgumentError(
          'name one conversation (<source> <interactionId>) or select by flags, not both',
        );
      if (!bulk) {
        if (source === undefined || interactionId === undefined)
          throw new InvalidArgumentError(
            'name one conversation (<source> <interactionId>), or select by --status, --source or --query',
          );
        const outcome = await withClient((client) =>
          actOnConversation(client, conversationWorkflowId(source, interactionId), action(flags)),
        );
        console.log(`${outcome.workflowId}: ${outcome.done ? '' : 'refused: '}${outcome.message}`);
        if (!outcome.done) process.exitCode = 2;
        return;
      }
      await withClient((client) =>
        actOnSelection(client, name, conversationQuery(flags), action(flags), flags),
      );
    });
}

/** Plans the action on every conversation `query` matches and prints it; with `--yes`, applies it. */
async function actOnSelection(
  client: Client,
  verb: string,
  query: string,
  action: ConversationAction,
  flags: OperationFlags,
): Promise<void> {
  const plan = await planConversationActions(client, query, action, flags.concurrency);
  console.log(formatPlan(plan, query));
  if (plan.length === 0) return;
  if (!flags.yes) {
    const again = [...process.argv.slice(2).map(shellWord), '--yes'].join(' ');
    console.log(`dry run: nothing was changed. To ${verb} these ${plan.length}: ${cliCommand} ${again}`);
    return;
  }
  const outcomes = await applyPlannedActions(
    client,
    plan,
    (outcome, done) =>
      console.log(
        `[${done}/${plan.length}] ${outcome.workflowId}: ${outcome.done ? '' : 'refused: '}${outcome.message}`,
      ),
    flags.concurrency,
  );
  console.log(formatSummary(verb, outcomes));
  if (outcomes.some((outcome) => !outcome.done)) process.exitCode = 2;
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

program
  .command('codec-key')
  .description(
    'print a new payload key entry (id:key) for BYOI_CODEC_KEYS or a key file: put it first to seal with it, and keep the older keys after it while histories sealed with them are kept (docs/security.md)',
  )
  .action(() => console.log(newKeyEntry()));

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
