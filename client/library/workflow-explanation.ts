/**
 * Why an agent or a conversation is where it is, for an engineer on call: one read of everything Temporal
 * and the workflow know — the execution (`describe()`: status, history, search attributes, the pending
 * workflow task and activities with their attempts and last failures), the workflow's own status query
 * (status, reason, pending events, the blocked event, the ledger) or, once it completed, its result — and
 * what to do about it (operator-advice.ts). A status or field this code does not know yet is kept as the
 * workflow said it, never dropped.
 */
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { agentStatusQuery, type AgentStatus } from '../../workflows/agent';
import { conversationStatusQuery, type ConversationStatus } from '../../workflows/conversation';
import { byoiExternalId, byoiKind, byoiSearchAttributes } from '../../workflows/search-attributes';
import { agentWorkflowId } from './agent-events';
import { conversationWorkflowId } from './conversation-events';
import { adviceFor } from './operator-advice';

/** Which entity workflow. */
export type EntityKind = 'agent' | 'conversation';

/** An activity Temporal is running or retrying for the workflow, as `describe()` shows it. */
export interface PendingActivity {
  activityId: string;
  type: string;
  /** SCHEDULED, STARTED, CANCEL_REQUESTED, PAUSED, PAUSE_REQUESTED (or the server's number for a newer state). */
  state: string;
  attempt: number;
  /** 0: unlimited. */
  maximumAttempts: number;
  lastFailure?: string;
  nextAttemptAt?: string;
  lastStartedAt?: string;
  lastWorker?: string;
}

/** The execution as Temporal sees it. */
export interface ExecutionFacts {
  /** RUNNING, COMPLETED, FAILED, TERMINATED, … */
  status: string;
  runId: string;
  taskQueue: string;
  startedAt: string;
  closedAt?: string;
  historyLength: number;
  searchAttributes: Record<string, string>;
  /** The pending workflow task's attempt: above 1, the workflow's code keeps failing. */
  workflowTaskAttempt?: number;
}

/** An agent's or conversation's status answer; `status` is a string, since newer workflows may add some. */
export type ReportedStatus =
  | ({ kind: 'agent' } & Omit<AgentStatus, 'status'> & { status: string })
  | ({ kind: 'conversation' } & Omit<ConversationStatus, 'status' | 'pending'> & {
        status: string;
        pending?: number;
      });

/** Everything known about one agent or conversation workflow, and what to do. */
export type Explanation = {
  kind: EntityKind;
  source: string;
  id: string;
  workflowId: string;
  namespace: string;
  advice: string[];
} & (
  | {
      found: false;
      /** Workflows of the same kind and external id under other sources. */
      elsewhere: string[];
    }
  | {
      found: true;
      execution: ExecutionFacts;
      pendingActivities: PendingActivity[];
      /** From the status query while it runs, from its result once completed. */
      reported?: ReportedStatus;
      /** Where `reported` came from. */
      reportedBy?: 'query' | 'result';
      /** Why the status query went unanswered (no worker, a closed run without a result, …). */
      queryError?: string;
      /** Fields of the status this CLI does not know, as the workflow gave them. */
      unknownFields: Record<string, unknown>;
      /** The most recent failure: a pending activity's, Genesys's refusal, or the closed run's. */
      lastFailure?: string;
      /** How a closed run ended, when it did not complete. */
      ending?: string;
    }
);

/** The facts of an explanation, before the advice is added. */
export type ExplanationFacts = Explanation extends infer E
  ? E extends unknown
    ? Omit<E, 'advice'>
    : never
  : never;

/** Where the workflow lives, and how long its status query may take. */
export interface ExplainOptions {
  namespace: string;
  /** How long the status query may wait for a worker to answer. */
  queryTimeoutMs?: number;
}

/** The workflow id of an agent or conversation. */
export function entityWorkflowId(kind: EntityKind, source: string, id: string): string {
  return kind === 'agent' ? agentWorkflowId(source, id) : conversationWorkflowId(source, id);
}

/** Reads everything Temporal and the workflow say about one agent or conversation, and advises. */
export async function explainWorkflow(
  client: Client,
  kind: EntityKind,
  source: string,
  id: string,
  options: ExplainOptions,
): Promise<Explanation> {
  const facts = await gatherFacts(client, kind, source, id, options);
  return { ...facts, advice: adviceFor(facts) };
}

async function gatherFacts(
  client: Client,
  kind: EntityKind,
  source: string,
  id: string,
  options: ExplainOptions,
): Promise<ExplanationFacts> {
  const workflowId = entityWorkflowId(kind, source, id);
  const about = { kind, source, id, workflowId, namespace: options.namespace };
  const handle = client.workflow.getHandle(workflowId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return { ...about, found: false, elsewhere: await sameIdElsewhere(client, kind, id, workflowId) };
  }
  const execution = executionFacts(description);
  const pendingActivities = (description.raw.pendingActivities ?? []).map(pendingActivity);
  let reported: ReportedStatus | undefined;
  let reportedBy: 'query' | 'result' | undefined;
  let queryError: string | undefined;
  let ending: string | undefined;
  if (execution.status === 'COMPLETED') {
    // A completed run answers with its result, no worker needed; an agent never completes (it continues as new).
    const result: unknown = await handle.result();
    if (kind === 'conversation' && isObject(result)) {
      reported = { kind, ...(result as Omit<ConversationStatus, 'pending'>) };
      reportedBy = 'result';
    }
  } else {
    if (execution.status !== 'RUNNING') ending = await endingOf(handle.result());
    try {
      const deadline = Date.now() + (options.queryTimeoutMs ?? 10_000);
      reported =
        kind === 'agent'
          ? { kind, ...(await client.withDeadline(deadline, () => handle.query(agentStatusQuery))) }
          : { kind, ...(await client.withDeadline(deadline, () => handle.query(conversationStatusQuery))) };
      reportedBy = 'query';
    } catch (error) {
      queryError = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    ...about,
    found: true,
    execution,
    pendingActivities,
    reported,
    reportedBy,
    queryError,
    unknownFields: reported ? unknownFieldsOf(reported) : {},
    lastFailure: lastFailureOf(pendingActivities, reported, ending),
    ending,
  };
}

/** Other sources that have a workflow of this kind for the same external id: a mistyped source, often. */
async function sameIdElsewhere(client: Client, kind: EntityKind, id: string, workflowId: string) {
  const query = `${byoiKind.name} = '${kind}' AND ${byoiExternalId.name} = '${id.replace(/'/g, "\\'")}'`;
  const found: string[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: 10 })) {
    if (execution.workflowId !== workflowId && !found.includes(execution.workflowId))
      found.push(execution.workflowId);
    if (found.length >= 10) break;
  }
  return found;
}

function executionFacts(description: WorkflowExecutionDescription): ExecutionFacts {
  // The bridge's own, in the order they are declared (Temporal's, like BuildIds, say nothing to an operator).
  const searchAttributes: Record<string, string> = {};
  for (const key of byoiSearchAttributes) {
    const value = description.typedSearchAttributes.get(key);
    if (value !== undefined) searchAttributes[key.name] = value;
  }
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? undefined;
  return {
    status: description.status.name,
    runId: description.runId,
    taskQueue: description.taskQueue,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
    historyLength: description.historyLength,
    searchAttributes,
    ...(attempt ? { workflowTaskAttempt: attempt } : {}),
  };
}

type RawPendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

/** PendingActivityState of temporal.api.enums.v1, by number, without the prefix. */
const activityStates = [
  'UNSPECIFIED',
  'SCHEDULED',
  'STARTED',
  'CANCEL_REQUESTED',
  'PAUSED',
  'PAUSE_REQUESTED',
];

function pendingActivity(raw: RawPendingActivity): PendingActivity {
  const time = (ts: Parameters<typeof optionalTsToMs>[0]) => {
    const ms = optionalTsToMs(ts);
    return ms === undefined ? undefined : new Date(ms).toISOString();
  };
  const state = raw.state ?? 0;
  return {
    activityId: raw.activityId ?? '',
    type: raw.activityType?.name ?? '',
    state: activityStates[state] ?? String(state),
    attempt: raw.attempt ?? 0,
    maximumAttempts: raw.maximumAttempts ?? 0,
    ...(raw.lastFailure?.message ? { lastFailure: raw.lastFailure.message } : {}),
    ...optional('nextAttemptAt', time(raw.nextAttemptScheduleTime)),
    ...optional('lastStartedAt', time(raw.lastStartedTime)),
    ...optional('lastWorker', raw.lastWorkerIdentity || undefined),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** How a closed run that did not complete ended: the failure or the termination's reason. */
async function endingOf(result: Promise<unknown>): Promise<string | undefined> {
  try {
    await result;
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) return String(error);
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    return cause ? `${error.message}: ${cause.message}` : error.message;
  }
}

/** The fields every status answer of this version has; anything else is shown as the workflow gave it. */
const knownFields: Record<EntityKind, readonly string[]> = {
  agent:
    'kind source agentId status message genesysUserId pending counters lastPublished ledger carried'.split(
      ' ',
    ),
  conversation:
    'kind source interactionId channel status message conversationId blocked legs pending counters lastApplied recording ledger'.split(
      ' ',
    ),
};

function unknownFieldsOf(reported: ReportedStatus): Record<string, unknown> {
  const known = knownFields[reported.kind];
  return Object.fromEntries(Object.entries(reported).filter(([key]) => !known.includes(key)));
}

/**
 * The failure an engineer wants first: an activity's latest (it is retrying now), then Genesys's refusal
 * the conversation is blocked on, then the latest refusal in the ledger, then how a closed run ended.
 */
function lastFailureOf(
  activities: PendingActivity[],
  reported: ReportedStatus | undefined,
  ending: string | undefined,
): string | undefined {
  const failing = activities.find((activity) => activity.lastFailure !== undefined);
  if (failing)
    return `${failing.type} (activity ${failing.activityId}, attempt ${failing.attempt}): ${failing.lastFailure}`;
  if (reported?.kind === 'conversation' && reported.blocked?.kind === 'rejected') {
    return `Genesys refused ${reported.blocked.type} (event ${reported.blocked.eventId}): ${reported.blocked.reason}`;
  }
  if (
    reported?.kind === 'conversation' &&
    reported.recording.state === 'failed' &&
    reported.recording.reason
  ) {
    return `recording: ${reported.recording.reason}`;
  }
  const refused = [...(reported?.ledger ?? [])].reverse().find((entry) => entry.outcome === 'rejected');
  if (refused) return `Genesys refused event ${refused.eventId} at ${refused.recordedAt}: ${refused.reason}`;
  return ending;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
