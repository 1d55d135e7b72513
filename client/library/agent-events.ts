/** Routing agent events to their workflows: signal-with-start, so adapters never ask whether one exists. */
import type { Client } from '@temporalio/client';
import type { AgentEvent } from '../../domain/events/agent-event';
import { agentEventsSignal, agentWorkflow, type AgentWorkflowSettings } from '../../workflows/agent';
import type { ReceivedEvent } from '../../workflows/event-stream';
import { startingSearchAttributes } from '../../workflows/search-attributes';
import { agentDescription } from './summaries';
import { entityWorkflowTaskTimeout } from './task-timeout';

/** The workflow id of an external agent. */
export const agentWorkflowId = (source: string, agentId: string) => `agent/${source}/${agentId}`;

/**
 * Delivers events of one agent to its workflow in one signal, starting the workflow if need be; resolves
 * once Temporal holds them.
 */
export async function signalAgentEvents(
  client: Client,
  taskQueue: string,
  events: ReceivedEvent<AgentEvent>[],
  settings?: Partial<AgentWorkflowSettings>,
): Promise<void> {
  const { source, agentId } = events[0]!.event;
  await client.workflow.signalWithStart(agentWorkflow, {
    workflowId: agentWorkflowId(source, agentId),
    taskQueue,
    args: [{ source, agentId, settings }],
    signal: agentEventsSignal,
    signalArgs: [events],
    typedSearchAttributes: startingSearchAttributes('agent', source, agentId),
    workflowTaskTimeout: entityWorkflowTaskTimeout,
    // Taken only when this call starts the workflow.
    ...agentDescription(
      source,
      agentId,
      events.map(({ event }) => event),
    ),
  });
}

/** Delivers one agent event, received now, to its agent's workflow. */
export function sendAgentEvent(
  client: Client,
  taskQueue: string,
  event: AgentEvent,
  settings?: Partial<AgentWorkflowSettings>,
): Promise<void> {
  return signalAgentEvents(client, taskQueue, [{ event, receivedAtMs: Date.now() }], settings);
}
