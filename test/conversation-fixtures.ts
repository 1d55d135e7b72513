/**
 * Conversation fixtures: the supported scenarios (scripts/conversation-scenarios.ts) and single calls for
 * tests that need just one.
 */
import type { InteractionEvent } from '../activities/events/interaction-event';
import { interactionEvents } from '../scripts/contact-centre';
import { inbound, type Voice } from '../scripts/conversation-scenarios';

export { conversationScenarios, type ExpectedLeg, type Scenario } from '../scripts/conversation-scenarios';

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
