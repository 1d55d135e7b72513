/**
 * Workflows by status, as gauges: a periodic visibility count per `ByoiStatus` value — open agents and
 * conversations in each status, and conversations that closed in the last hour in each final status — of
 * the task queue the worker serves (bridges that share a namespace count apart). One worker of a fleet runs it (BYOI_WORKFLOW_STATUS_INTERVAL): it costs Temporal a few count queries per
 * interval and the workflows nothing, no history event and no work on the event path.
 */
import type { Client } from '@temporalio/client';
import type { ServiceMetrics } from '../config/metrics';
import type { AgentStatus } from '../workflows/agent';
import type { ConversationPhase } from '../workflows/conversation-status';
import { byoiKind, byoiStatus } from '../workflows/search-attributes';

/** Every agent status (the compiler holds the list to the type). */
const agentStatuses: Record<AgentStatus['status'], 'open'> = {
  Running: 'open',
  WaitingForMapping: 'open',
  Conflict: 'open',
  Retrying: 'open',
};

/** Every conversation status, and whether a workflow in it is still open or has closed. */
const conversationStatuses: Record<ConversationPhase, 'open' | 'closed'> = {
  Running: 'open',
  Retrying: 'open',
  WaitingForMapping: 'open',
  Blocked: 'open',
  Stalled: 'open',
  WaitingForWrapUp: 'open',
  WaitingForRecording: 'open',
  UploadingRecording: 'open',
  Completed: 'closed',
  RecordingMissing: 'closed',
  RecordingFailed: 'closed',
  Abandoned: 'closed',
  Orphaned: 'closed',
};

/** How far back closed conversations are counted. */
const closedWindowMs = 3_600_000;

/** One count the gauges are made of. */
interface StatusCount {
  kind: 'agent' | 'conversation';
  status: string;
  state: 'open' | 'closed';
}

/** The counts of one round: open agents and conversations per status, recently closed conversations per final status. */
export function statusCounts(): StatusCount[] {
  return [
    ...Object.keys(agentStatuses).map((status) => ({
      kind: 'agent' as const,
      status,
      state: 'open' as const,
    })),
    ...Object.entries(conversationStatuses).map(([status, state]) => ({
      kind: 'conversation' as const,
      status,
      state,
    })),
  ];
}

/** The visibility query of one count. */
export function statusQuery({ kind, status, state }: StatusCount, taskQueue: string, nowMs: number): string {
  const which =
    state === 'open'
      ? `ExecutionStatus = 'Running'`
      : `CloseTime > '${new Date(nowMs - closedWindowMs).toISOString()}'`;
  return `TaskQueue = '${taskQueue}' AND ${byoiKind.name} = '${kind}' AND ${byoiStatus.name} = '${status}' AND ${which}`;
}

/** Where the counts come from and go. */
export interface StatusCounting {
  temporal: Client;
  taskQueue: string;
  metrics: ServiceMetrics;
}

/** Counts every status once into the gauges; answers the first failure, if a count failed. */
export async function countWorkflowStatuses({
  temporal,
  taskQueue,
  metrics,
}: StatusCounting): Promise<Error | undefined> {
  const nowMs = Date.now();
  let failure: Error | undefined;
  // One after another: a few cheap queries a round, never a burst on the visibility store.
  for (const count of statusCounts()) {
    try {
      const { count: workflows } = await temporal.workflow.count(statusQuery(count, taskQueue, nowMs));
      const gauge = count.state === 'open' ? metrics.workflows : metrics.workflowsClosedLastHour;
      gauge.set(workflows, { kind: count.kind, status: count.status });
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  if (failure === undefined) metrics.workflowsCountedAt.set(Math.floor(Date.now() / 1_000));
  return failure;
}

/**
 * Counts every `intervalMs` until stopped, one round at a time; a failed round is reported and its gauges
 * keep their last values (`byoi_workflows_counted_timestamp_seconds` shows how old they are).
 */
export function countWorkflowStatusesEvery(
  intervalMs: number,
  counting: StatusCounting,
  onFailure: (error: Error) => void,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const run = () => {
    round = countWorkflowStatuses(counting).then((failure) => {
      if (failure) onFailure(failure);
      if (!stopped) timer = setTimeout(run, intervalMs);
    });
  };
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
  };
}
