/** Routing agent events to their workflows: signal-with-start, so adapters never ask whether one exists. */
import type { Client } from '@temporalio/client';
import type { AgentEvent } from '../activities/events/agent-event';
import { agentEventSignal, agentWorkflow, type AgentWorkflowSettings } from '../workflows/agent';

/** The workflow id of an external agent. */
export const agentWorkflowId = (source: string, agentId: string) => `agent/${source}/${agentId}`;

/** Delivers one agent event to its agent's workflow, starting the workflow if need be. */
export async function sendAgentEvent(
  client: Client,
  taskQueue: string,
  event: AgentEvent,
  settings?: Partial<AgentWorkflowSettings>,
): Promise<void> {
  await client.workflow.signalWithStart(agentWorkflow, {
    workflowId: agentWorkflowId(event.source, event.agentId),
    taskQueue,
    args: [{ source: event.source, agentId: event.agentId, settings }],
    signal: agentEventSignal,
    signalArgs: [event],
  });
}
