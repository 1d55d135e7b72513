/**
 * Conversation fixtures: the supported scenarios (tools/load/conversation-scenarios.ts) and single calls for
 * tests that need just one.
 */
import type { InteractionEvent } from '../domain/events/interaction-event';
import { interactionEvents } from '../tools/load/contact-centre';
import { inbound, type Voice } from '../tools/load/conversation-scenarios';

export { conversationScenarios, type ExpectedLeg, type Scenario } from '../tools/load/conversation-scenarios';

/** Events of one voice call, for tests that need just one. */
export function answeredCall(
  source: string,
  agentId: string,
  queueId: string,
  extra: Voice[] = [],
): InteractionEvent[] {
  return interactionEvents(
    source,
    'voice',
    [
      inbound,
      { type: 'queued', queueId },
      { type: 'answered', agentId },
      { type: 'disconnected', party: { kind: 'customer' } },
      { type: 'wrapUp', agentId },
      ...extra,
    ],
    60_000,
  );
}
