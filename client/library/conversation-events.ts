/**
 * Routing interaction events to their conversation workflows: signal-with-start, so adapters never ask
 * whether one exists; but never a second conversation for the same interaction. A conversation that has
 * completed keeps its workflow id (Temporal refuses to start it again), so a late event is reported as
 * belonging to a finished conversation instead of starting a new, bogus one. One an operator terminated
 * starts again with the next events sent: on the same Genesys conversation, whose id derives from the
 * interaction, so the events re-sent carry the ids and bodies Genesys has already applied.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { InteractionEvent } from '../../domain/events/interaction-event';
import { conversationIdOf } from '../../domain/genesys/derived-ids';
import {
  conversationWorkflow,
  interactionEventsSignal,
  type ConversationWorkflowSettings,
} from '../../workflows/conversation';
import type { ReceivedEvent } from '../../workflows/event-stream';
import { startingSearchAttributes } from '../../workflows/search-attributes';
import { conversationDescription } from './summaries';
import { entityWorkflowTaskTimeout } from './task-timeout';

/** The workflow id of an external interaction. */
export const conversationWorkflowId = (source: string, interactionId: string) =>
  `conversation/${source}/${interactionId}`;

/** What became of sent interaction events. */
export type InteractionDelivery =
  | { outcome: 'delivered'; workflowId: string; runId: string }
  | { outcome: 'conversationFinished'; workflowId: string; reason: string };

/**
 * Delivers events of one interaction to its conversation's workflow in one signal, starting the workflow
 * if need be; resolves once Temporal holds them, or says the conversation has finished.
 */
export async function signalInteractionEvents(
  client: Client,
  taskQueue: string,
  events: ReceivedEvent<InteractionEvent>[],
  settings?: Partial<ConversationWorkflowSettings>,
): Promise<InteractionDelivery> {
  const { source, interactionId, channel } = events[0]!.event;
  const workflowId = conversationWorkflowId(source, interactionId);
  const conversationId = conversationIdOf(source, interactionId);
  try {
    const handle = await client.workflow.signalWithStart(conversationWorkflow, {
      workflowId,
      taskQueue,
      // Given here so the Genesys id is searchable at once; the workflow derives the same one without it.
      args: [{ source, interactionId, settings, conversationId }],
      signal: interactionEventsSignal,
      signalArgs: [events],
      typedSearchAttributes: startingSearchAttributes(
        'conversation',
        source,
        interactionId,
        channel,
        conversationId,
      ),
      // Completed is final; terminated (or failed, cancelled, timed out) is an operator's to start again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      workflowTaskTimeout: entityWorkflowTaskTimeout,
      // Taken only when this call starts the workflow.
      ...conversationDescription(
        source,
        interactionId,
        conversationId,
        events.map(({ event }) => event),
      ),
    });
    return { outcome: 'delivered', workflowId, runId: handle.signaledRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const what = events.map(({ event }) => `event ${event.eventId} (${event.channel}.${event.change.type})`);
    return {
      outcome: 'conversationFinished',
      workflowId,
      reason: `conversation ${workflowId} has finished; ${what.join(', ')} ${what.length === 1 ? 'was' : 'were'} not applied`,
    };
  }
}

/** Delivers one interaction event, received now, to its conversation's workflow. */
export function sendInteractionEvent(
  client: Client,
  taskQueue: string,
  event: InteractionEvent,
  settings?: Partial<ConversationWorkflowSettings>,
): Promise<InteractionDelivery> {
  return signalInteractionEvents(client, taskQueue, [{ event, receivedAtMs: Date.now() }], settings);
}
