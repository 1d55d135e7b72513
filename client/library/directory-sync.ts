/**
 * Running the directory sync: a Temporal Schedule per source (`directory-sync/<source>`) runs it at an
 * interval, and an on-demand run goes through the same schedule when there is one, so two syncs of a
 * source never overlap (a run asked for during another waits for it: overlap policy BUFFER_ONE).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
} from '@temporalio/client';
import type { DirectorySyncReport, SnapshotLocation } from '../../activities';
import { directorySyncWorkflow } from '../../workflows';
import { directorySyncDescription } from './summaries';

/** What a directory sync needs to know. */
export interface DirectorySyncOptions {
  source: string;
  snapshot: SnapshotLocation;
  taskQueue: string;
}

/** The schedule id of a source's directory sync. */
export const directoryScheduleId = (source: string) => `directory-sync/${source}`;

function action(options: DirectorySyncOptions) {
  return {
    type: 'startWorkflow' as const,
    workflowType: directorySyncWorkflow,
    workflowId: `directory/${options.source}`,
    taskQueue: options.taskQueue,
    args: [{ source: options.source, snapshot: options.snapshot }] as [
      Parameters<typeof directorySyncWorkflow>[0],
    ],
    ...directorySyncDescription(options.source),
  };
}

/** Creates the source's schedule, or updates its interval and snapshot if it exists. */
export async function ensureDirectorySyncSchedule(
  client: Client,
  options: DirectorySyncOptions & { interval: string },
): Promise<void> {
  const scheduleId = directoryScheduleId(options.source);
  const spec = { intervals: [{ every: options.interval }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: action(options),
      // A missed run is not made up: the next one syncs everything anyway.
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 minute' },
      state: { note: `directory sync of ${options.source} every ${options.interval}` },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec,
      action: action(options),
    }));
  }
}

/**
 * Runs the source's directory sync now and waits for its report: through its schedule when it has one,
 * else as a workflow of its own (joining one already running for the source).
 */
export async function runDirectorySync(
  client: Client,
  options: DirectorySyncOptions,
): Promise<DirectorySyncReport> {
  const schedule = client.schedule.getHandle(directoryScheduleId(options.source));
  let before: Set<string>;
  try {
    const description = await schedule.describe();
    const scheduled = (description.action.args as [{ snapshot?: unknown }] | undefined)?.[0]?.snapshot;
    if (JSON.stringify(scheduled) !== JSON.stringify(options.snapshot)) {
      throw new Error(
        `the schedule ${directoryScheduleId(options.source)} syncs ${JSON.stringify(scheduled)}, not ` +
          `${JSON.stringify(options.snapshot)}: update it with \`directory schedule\` first`,
      );
    }
    before = new Set(description.info.recentActions.map((run) => run.action.workflow.workflowId));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    const { workflowId, taskQueue, args } = action(options);
    const handle = await client.workflow.start(directorySyncWorkflow, {
      workflowId,
      taskQueue,
      args,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return handle.result();
  }
  await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  for (;;) {
    const { info } = await schedule.describe();
    const started = [
      ...info.recentActions,
      ...info.runningActions.map((running) => ({ action: running })),
    ].find((run) => !before.has(run.action.workflow.workflowId));
    if (started) {
      return client.workflow
        .getHandle<typeof directorySyncWorkflow>(started.action.workflow.workflowId)
        .result();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts the source's directory sync without waiting for it: through its schedule when the schedule
 * syncs this snapshot, else as a workflow of its own (joining one already running for the source).
 */
export async function startDirectorySync(
  client: Client,
  options: DirectorySyncOptions,
): Promise<'triggered' | 'started'> {
  const schedule = client.schedule.getHandle(directoryScheduleId(options.source));
  try {
    const description = await schedule.describe();
    const scheduled = (description.action.args as [{ snapshot?: unknown }] | undefined)?.[0]?.snapshot;
    if (JSON.stringify(scheduled) === JSON.stringify(options.snapshot)) {
      await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
      return 'triggered';
    }
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  const { workflowId, taskQueue, args } = action(options);
  await client.workflow.start(directorySyncWorkflow, {
    workflowId,
    taskQueue,
    args,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return 'started';
}

/** The report as an operator reads it. */
export function formatDirectoryReport(report: DirectorySyncReport): string {
  const { users } = report;
  const lines = [
    `directory sync of ${report.source} (attempt ${report.attempts}, ${report.writeCalls} write calls)`,
    `  users: ${users.created} created, ${users.updated} updated, ${users.deactivated} deactivated, ${users.unchanged} unchanged, ${users.failed} failed`,
    `  other changes (presence source, skills, wrap-up codes, queues, members): ${report.otherChanges}`,
  ];
  for (const failure of report.failures) {
    lines.push(`  failed ${failure.operation} for ${failure.target}: ${failure.reason}`);
  }
  return lines.join('\n');
}
