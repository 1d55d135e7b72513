/**
 * What operators do to conversations, for the CLI: find them by their search attributes, read their
 * status, and retry, skip or abandon one (bulk-actions.ts: every one a query matches).
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  abandonUpdate,
  conversationStatusQuery,
  retryBlockedUpdate,
  skipEventUpdate,
  type ConversationStatus,
} from '../../workflows/conversation';
import {
  byoiExternalId,
  byoiGenesysId,
  byoiKind,
  byoiSource,
  byoiStatus,
} from '../../workflows/search-attributes';
import { conversationWorkflowId } from './conversation-events';

/** A conversation as the listing shows it. */
export interface ConversationListing {
  workflowId: string;
  status: string;
  source: string;
  interactionId: string;
  conversationId?: string;
}

/** An operator's action on conversations. */
export type ConversationAction =
  { kind: 'retry' } | { kind: 'skip'; eventId?: string } | { kind: 'abandon'; reason: string };

/** What became of the action on one conversation. */
export interface ActionOutcome {
  workflowId: string;
  done: boolean;
  message: string;
}

/** The visibility query of running conversations, narrowed by status, source and any further query. */
export function conversationQuery(filters: { status?: string; source?: string; query?: string }): string {
  const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return [
    `${byoiKind.name} = 'conversation'`,
    `ExecutionStatus = 'Running'`,
    ...(filters.status === undefined ? [] : [`${byoiStatus.name} = ${quote(filters.status)}`]),
    ...(filters.source === undefined ? [] : [`${byoiSource.name} = ${quote(filters.source)}`]),
    ...(filters.query === undefined ? [] : [`(${filters.query})`]),
  ].join(' AND ');
}

/** The running conversations a query matches. */
export async function listConversations(client: Client, query: string): Promise<ConversationListing[]> {
  const found: ConversationListing[] = [];
  for await (const execution of client.workflow.list({ query })) {
    const attributes = execution.typedSearchAttributes;
    found.push({
      workflowId: execution.workflowId,
      status: attributes.get(byoiStatus) ?? 'unknown',
      source: attributes.get(byoiSource) ?? '',
      interactionId: attributes.get(byoiExternalId) ?? '',
      conversationId: attributes.get(byoiGenesysId),
    });
  }
  return found;
}

/** One conversation's status query. */
export function conversationStatus(
  client: Client,
  source: string,
  interactionId: string,
): Promise<ConversationStatus> {
  return client.workflow
    .getHandle(conversationWorkflowId(source, interactionId))
    .query(conversationStatusQuery);
}

/** Applies `action` to one conversation; a refusal (the workflow's own words) is an outcome, not an error. */
export async function actOnConversation(
  client: Client,
  workflowId: string,
  action: ConversationAction,
): Promise<ActionOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (action.kind === 'retry') {
      const { eventId } = await handle.executeUpdate(retryBlockedUpdate);
      return { workflowId, done: true, message: `retrying event ${eventId}` };
    }
    if (action.kind === 'skip') {
      const { eventId } = await handle.executeUpdate(skipEventUpdate, {
        args: [{ eventId: action.eventId }],
      });
      return { workflowId, done: true, message: `skipped event ${eventId}` };
    }
    const { legsEnded } = await handle.executeUpdate(abandonUpdate, { args: [{ reason: action.reason }] });
    return { workflowId, done: true, message: `abandoned; ${legsEnded} legs ended` };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const said =
      error instanceof WorkflowUpdateFailedError && error.cause instanceof Error ? error.cause : error;
    return { workflowId, done: false, message: said.message };
  }
}

/** One leg of a conversation in a line: who, and where it stands. */
export function formatLeg(leg: ConversationStatus['legs'][number]): string {
  return (
    `${leg.communicationId} ${leg.role}${leg.agentId ? ` ${leg.agentId}` : ''}${leg.queueId ? ` ${leg.queueId}` : ''}: ` +
    `${leg.ended ? 'ended' : leg.answered ? 'connected' : 'alerting'}${leg.wrappedUp ? ', wrapped up' : ''}`
  );
}

/** A status in a few lines for a terminal. */
export function formatConversationStatus(status: ConversationStatus): string {
  const lines = [
    `${status.source}/${status.interactionId}: ${status.status}${status.message ? ` — ${status.message}` : ''}`,
    `  Genesys conversation ${status.conversationId ?? '(not started)'} (${status.channel ?? 'channel unknown'})`,
    `  ${status.counters.applied} steps applied, ${status.counters.genesysEvents} Genesys events, ${status.pending} pending, ${status.counters.duplicates} duplicates`,
    ...status.legs.map((leg) => `  leg ${formatLeg(leg)}`),
    `  recording: ${status.recording.state}${status.recording.reason ? ` — ${status.recording.reason}` : ''}`,
    ...(status.blocked
      ? [`  blocked on ${status.blocked.type} (event ${status.blocked.eventId}): ${status.blocked.reason}`]
      : []),
    ...status.ledger.map(
      (entry) => `  ledger: ${entry.type} ${entry.eventId} ${entry.outcome} — ${entry.reason}`,
    ),
  ];
  return lines.join('\n');
}
