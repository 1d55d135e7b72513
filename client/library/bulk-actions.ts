/**
 * An operator's action on every conversation a query matches: planned first — each conversation, its
 * status and reason, and exactly what the action would do to it or why the workflow would refuse it —
 * then, only when told, applied a few at a time, each outcome reported as it comes, and summed up.
 */
import type { Client } from '@temporalio/client';
import type { ConversationStatus } from '../../workflows/conversation';
import {
  actOnConversation,
  listConversations,
  type ActionOutcome,
  type ConversationAction,
} from './conversation-operations';
import { conversationStatusQuery } from '../../workflows/conversation';

/** What the action would do to one conversation. */
export interface PlannedAction {
  workflowId: string;
  /** The status the conversation reported (or the search attribute's, when its query went unanswered). */
  status: string;
  reason?: string;
  /** What the action would do, e.g. `skip event 3f…` (the event pinned, so a later one is never skipped). */
  intent: string;
  /** Why the workflow would refuse it, as far as its status tells. */
  refusal?: string;
  /** The action as it will be sent: a skip names the event the plan showed. */
  action: ConversationAction;
}

/** How many conversations are read or acted on at once. */
export const defaultConcurrency = 4;

/** Reads every matching conversation's status and plans the action for each. */
export async function planConversationActions(
  client: Client,
  query: string,
  action: ConversationAction,
  concurrency = defaultConcurrency,
): Promise<PlannedAction[]> {
  const listed = await listConversations(client, query);
  return withConcurrency(listed, concurrency, async (listing) => {
    try {
      const status = await client.withDeadline(Date.now() + 10_000, () =>
        client.workflow.getHandle(listing.workflowId).query(conversationStatusQuery),
      );
      return { workflowId: listing.workflowId, ...planAction(status, action) };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        workflowId: listing.workflowId,
        status: listing.status,
        reason: `its status query went unanswered: ${why}`,
        intent: describeAction(action),
        action,
      };
    }
  });
}

/** The action planned against one conversation's status (pure). */
export function planAction(
  status: Pick<ConversationStatus, 'status' | 'message' | 'blocked' | 'legs'>,
  action: ConversationAction,
): Omit<PlannedAction, 'workflowId'> {
  const about = {
    status: status.status,
    // A blocked step's reason names the step and its event.
    reason: status.blocked?.reason ?? status.message,
  };
  const blocked = status.blocked;
  if (action.kind === 'retry') {
    return blocked
      ? { ...about, intent: `retry ${blocked.type} (event ${blocked.eventId})`, action }
      : { ...about, intent: 'retry', refusal: 'nothing is blocked', action };
  }
  if (action.kind === 'skip') {
    const eventId = action.eventId ?? blocked?.eventId;
    return eventId === undefined
      ? { ...about, intent: 'skip', refusal: 'nothing is blocked: name the event with --event-id', action }
      : { ...about, intent: `skip event ${eventId}`, action: { kind: 'skip', eventId } };
  }
  const live = status.legs.filter((leg) => !leg.ended).length;
  return {
    ...about,
    intent: `abandon ("${action.reason}"), ending ${live} live leg${live === 1 ? '' : 's'} in Genesys`,
    action,
  };
}

/** Applies each planned action, `concurrency` at a time; `onOutcome` hears of each as it comes. */
export function applyPlannedActions(
  client: Client,
  plan: PlannedAction[],
  onOutcome: (outcome: ActionOutcome, done: number) => void,
  concurrency = defaultConcurrency,
): Promise<ActionOutcome[]> {
  let done = 0;
  return withConcurrency(plan, concurrency, async (planned) => {
    const outcome = await actOnConversation(client, planned.workflowId, planned.action);
    onOutcome(outcome, ++done);
    return outcome;
  });
}

/** The plan as a dry run prints it. */
export function formatPlan(plan: PlannedAction[], query: string): string {
  const lines = [`${plan.length} conversation${plan.length === 1 ? '' : 's'} match ${query}`];
  for (const planned of plan) {
    lines.push(
      `  ${planned.workflowId}\t${planned.status}${planned.reason ? ` — ${planned.reason}` : ''}\n` +
        `    would ${planned.intent}${planned.refusal ? ` (the workflow would refuse: ${planned.refusal})` : ''}`,
    );
  }
  return lines.join('\n');
}

/** How the actions went: counts, then each refusal's reason with the conversations it refused. */
export function formatSummary(verb: string, outcomes: ActionOutcome[]): string {
  const refused = outcomes.filter((outcome) => !outcome.done);
  const lines = [`${verb}: ${outcomes.length - refused.length} done, ${refused.length} refused or failed`];
  const byReason = new Map<string, string[]>();
  for (const outcome of refused)
    byReason.set(outcome.message, [...(byReason.get(outcome.message) ?? []), outcome.workflowId]);
  for (const [reason, workflowIds] of byReason) {
    lines.push(`  ${workflowIds.length} × ${reason}: ${workflowIds.join(', ')}`);
  }
  return lines.join('\n');
}

function describeAction(action: ConversationAction): string {
  if (action.kind === 'skip')
    return action.eventId ? `skip event ${action.eventId}` : 'skip the blocked event';
  return action.kind === 'retry' ? 'retry' : `abandon ("${action.reason}")`;
}

/** Maps `items` through `work`, at most `concurrency` at once, keeping their order. */
async function withConcurrency<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
