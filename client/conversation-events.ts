/**
 * Routing interaction events to their conversation workflows: signal-with-start, so adapters never ask
 * whether one exists; but never a second conversation for the same interaction. A conversation that has
 * completed keeps its workflow id (Temporal refuses to start it again), so a late event is reported as
 * belonging to a finished conversation instead of starting a new, bogus one.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { InteractionEvent } from '../activities/events/interaction-event';
import {
  conversationWorkflow,
  interactionEventSignal,
  type ConversationWorkflowSettings,
} from '../workflows/conversation';

/** The workflow id of an external interaction. */
export const conversationWorkflowId = (source: string, interactionId: string) =>
  `conversation/${source}/${interactionId}`;

/** What became of a sent interaction event. */
export type InteractionDelivery =
  | { outcome: 'delivered'; workflowId: string; runId: string }
  | { outcome: 'conversationFinished'; workflowId: string; reason: string };

/** Delivers one interaction event to its conversation's workflow, starting the workflow if need be. */
export async function sendInteractionEvent(
  client: Client,
  taskQueue: string,
  event: InteractionEvent,
  settings?: Partial<ConversationWorkflowSettings>,
): Promise<InteractionDelivery> {
  const workflowId = conversationWorkflowId(event.source, event.interactionId);
  try {
    const handle = await client.workflow.signalWithStart(conversationWorkflow, {
      workflowId,
      taskQueue,
      args: [{ source: event.source, interactionId: event.interactionId, settings }],
      signal: interactionEventSignal,
      signalArgs: [event],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { outcome: 'delivered', workflowId, runId: handle.signaledRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return {
      outcome: 'conversationFinished',
      workflowId,
      reason: `conversation ${workflowId} has finished; event ${event.eventId} (${event.channel}.${event.change.type}) was not applied`,
    };
  }
}
