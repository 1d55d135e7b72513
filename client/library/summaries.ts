/**
 * What each workflow is, in a line and a paragraph, given when it starts: the Temporal Web UI shows the
 * line as the workflow's summary and the paragraph as its details (Temporal markdown), so a workflow
 * found in a list says what it is before anyone reads its history. They hold external ids and no
 * customer data: no phone number, address or subject.
 */
import type { AgentEvent } from '../../domain/events/agent-event';
import type { InteractionEvent } from '../../domain/events/interaction-event';

/** A workflow's static summary (one line) and details (markdown). */
export interface StaticDescription {
  staticSummary: string;
  staticDetails: string;
}

const operatorsGuide = 'docs/operators.md';

/** An agent's workflow: whose presence and routing status it carries. */
export function agentDescription(source: string, agentId: string, events: AgentEvent[]): StaticDescription {
  const kinds = [...new Set(events.map((event) => event.change.kind))].join(' and ');
  return {
    staticSummary: `agent ${agentId} of ${source}: presence and routing status`,
    staticDetails:
      `**Agent** \`${agentId}\` of source **${source}**. Its presence and routing status changes reach ` +
      `Genesys Cloud in order, through the Genesys user its directory mapping names ` +
      `(search attribute \`ByoiGenesysId\` once known). First seen with a ${kinds} change.\n\n` +
      `The current details say what it waits for; the \`status\` query gives its counts, pending ` +
      `events and ledger; \`npm run cli -- explain agent ${source} ${agentId}\` says what to do ` +
      `(${operatorsGuide}).`,
  };
}

/** A conversation's workflow: its channel, interaction, and the queue and agent its first events name. */
export function conversationDescription(
  source: string,
  interactionId: string,
  conversationId: string,
  events: InteractionEvent[],
): StaticDescription {
  const channel = events[0]!.channel;
  const queueId = firstNamed(events, 'queueId');
  const agentId = firstNamed(events, 'agentId');
  const routing = [
    ...(queueId === undefined ? [] : [`queue ${queueId}`]),
    ...(agentId === undefined ? [] : [`agent ${agentId}`]),
  ];
  const firstTypes = [...new Set(events.map((event) => event.change.type))].join(', ');
  return {
    staticSummary: [`${channel} ${interactionId} of ${source}`, ...routing].join(' · '),
    staticDetails:
      `**${channel === 'voice' ? 'Voice call' : 'Email'}** \`${interactionId}\` of source **${source}**, ` +
      `Genesys conversation \`${conversationId}\`.` +
      (routing.length > 0 ? ` First routed to ${routing.join(' and ')}.` : '') +
      ` Started by: ${firstTypes}.\n\n` +
      `The current details say what it waits for or what blocks it; the \`status\` query gives its ` +
      `legs, pending events, recording and ledger; ` +
      `\`npm run cli -- explain conversation ${source} ${interactionId}\` says what to do ` +
      `(${operatorsGuide}).`,
  };
}

/** A directory sync's workflow. */
export function directorySyncDescription(source: string): StaticDescription {
  return {
    staticSummary: `directory sync of ${source}`,
    staticDetails:
      `Syncs the users, queues, skills, wrap-up codes and presence definitions of source **${source}** ` +
      `into Genesys Cloud and tells the waiting agents and conversations; its result is the report.`,
  };
}

function firstNamed(events: InteractionEvent[], field: 'queueId' | 'agentId'): string | undefined {
  for (const { change } of events) {
    const value = (change as Partial<Record<typeof field, unknown>>)[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
