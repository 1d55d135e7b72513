/**
 * What a conversation does about steps that come late. A source that redelivers (an ingress killed
 * mid-traffic, EventBridge retrying for hours) can hand over an agent's wrap-up before the disconnect that
 * preceded it; once Genesys accepted the wrap-up, the disconnect is earlier than what it accepted and can
 * never be sent, and the call's legs stay live. So a wrap-up of an agent still on the call is held for a
 * while, letting the disconnect slot in before it; and a conversation whose legs cannot end any more
 * because a step that would have ended them came late says so. Pure: no Temporal import.
 */
import type { InteractionEvent } from '../domain/events/interaction-event';
import type { Leg, LifecycleState } from './conversation-lifecycle';
import type { ConversationLedgerEntry } from './conversation-status';
import type { PendingEvent } from './event-stream';

/** A wrap-up held back until its agent's leg ends, or until the hold runs out. */
export interface WrapUpHold {
  eventId: string;
  agentId: string;
  /** Epoch ms (workflow time) the wrap-up is published at if its agent's leg has not ended by then. */
  untilMs: number;
}

/**
 * The hold on the head of `pending`, if it is a wrap-up of an agent whose answered leg is still live:
 * held for `wrapUpHoldMs` from its arrival. A later step of the call already here (a recording-ready event
 * aside, dated by the vendor at the end of the call or after) shows the source moved on: that agent
 * wrapped up during the call, as some platforms let them, and holding would only delay the call.
 */
export function wrapUpHold(
  lifecycle: LifecycleState | undefined,
  pending: readonly PendingEvent<InteractionEvent>[],
  wrapUpHoldMs: number,
): WrapUpHold | undefined {
  const [head, ...rest] = pending;
  if (lifecycle === undefined || head === undefined || head.event.change.type !== 'wrapUp') return undefined;
  const { agentId } = head.event.change;
  // The leg the lifecycle wraps up: the agent's last answered one.
  const leg = lifecycle.legs.findLast(
    (each) => each.role === 'agent' && each.agentId === agentId && each.answered,
  );
  if (leg === undefined || leg.ended) return undefined;
  if (rest.some((later) => later.event.change.type !== 'recordingReady')) return undefined;
  return { eventId: head.event.eventId, agentId, untilMs: head.arrivedAtMs + wrapUpHoldMs };
}

/** What the status says while a wrap-up is held. */
export function holdMessage(hold: WrapUpHold): string {
  return (
    `holding agent ${hold.agentId}'s wrap-up until their leg ends (the disconnect may still be on its way), ` +
    `at most until ${new Date(hold.untilMs).toISOString()}`
  );
}

/** Steps that end a leg: one that came late leaves that leg live for good. */
const legEndingSteps = new Set([
  'voice.disconnected',
  'voice.blindTransfer',
  'voice.consultCompleted',
  'voice.consultCancelled',
  'email.transferred',
  'email.closed',
]);

/**
 * Why a started conversation with nothing pending cannot end by itself: legs still live, and a step that
 * would have ended one was refused as late (it came after later steps Genesys had accepted); undefined when
 * that is not so.
 */
export function stalledReason(
  lifecycle: LifecycleState,
  ledger: readonly ConversationLedgerEntry[],
): string | undefined {
  const live = lifecycle.legs.filter((leg) => !leg.ended);
  const late = ledger.findLast((entry) => entry.outcome === 'late' && legEndingSteps.has(entry.type));
  if (live.length === 0 || late === undefined) return undefined;
  return (
    `${live.length === 1 ? 'the leg' : 'legs'} of ${partiesOf(live)} ${live.length === 1 ? 'is' : 'are'} still live: ` +
    `the ${late.type} event ${late.eventId} came after later events Genesys had accepted (see the ledger); ` +
    'an operator can `abandon` to end its live legs'
  );
}

/** What the status says of late steps that did not stop the conversation; undefined when there are none. */
export function lateNotice(ledger: readonly ConversationLedgerEntry[]): string | undefined {
  const late = ledger.filter((entry) => entry.outcome === 'late');
  const last = late.at(-1);
  if (last === undefined) return undefined;
  return (
    `${late.length === 1 ? 'one event' : `${late.length} events`} came after later events Genesys had ` +
    `accepted and ${late.length === 1 ? 'was' : 'were'} not sent (see the ledger), the last ${last.type} ${last.eventId}`
  );
}

/** The parties of legs in a few words: "agent a-1 and the customer". */
function partiesOf(legs: readonly Leg[]): string {
  const names = legs.map((leg) => {
    switch (leg.role) {
      case 'agent':
        return `agent ${leg.agentId}`;
      case 'queue':
        return `queue ${leg.queueId}`;
      case 'customer':
        return 'the customer';
      case 'ivr':
        return 'the IVR';
      case 'external':
        return 'the external party';
    }
  });
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
