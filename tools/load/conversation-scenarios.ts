/**
 * The supported conversation scenarios as a contact centre reports them (normalised interaction events),
 * each with what Genesys must end up with: its legs in order of establishment, how each ended and the
 * wrap-ups. The pure translation test, the dev-server test and the scenario reference in
 * docs/conversation-scenarios.md (`npm run docs:scenarios`) share them.
 */
import type { z } from 'zod';
import type {
  emailChangeSchema,
  InteractionEvent,
  voiceChangeSchema,
} from '../../domain/events/interaction-event';
import { interactionEvents } from './contact-centre';

/** One leg Genesys must show: who it is, how it ended, and its wrap-up code's external id. */
export interface ExpectedLeg {
  purpose: 'customer' | 'ivr' | 'acd' | 'agent';
  /** The agent's or queue's id at the source. */
  party?: string;
  disconnectType: string;
  wrapup?: string;
  holds?: number;
}

/** A lifecycle and what Genesys must hold after it. */
export interface Scenario {
  name: string;
  events: InteractionEvent[];
  legs: ExpectedLeg[];
}

/** Builds one interaction's events, a second apart, ending a minute ago. */
function interaction(
  source: string,
  channel: 'voice' | 'email',
  changes: (Voice | Email)[],
): InteractionEvent[] {
  return interactionEvents(source, channel, changes, 60_000);
}

export type Voice = z.input<typeof voiceChangeSchema>;
export type Email = z.input<typeof emailChangeSchema>;

export const inbound = {
  type: 'started',
  direction: 'inbound',
  ani: '+15550100',
  dnis: '+15550199',
} as const;

/** Every supported scenario of the issue, for agents `a` and `b`, queues `q` and `r`, wrap-up code `code`. */
export function conversationScenarios(
  source: string,
  { a, b, q, r, code }: { a: string; b: string; q: string; r: string; code: string },
): Scenario[] {
  const voice = (name: string, changes: Voice[], legs: ExpectedLeg[]): Scenario => ({
    name,
    events: interaction(source, 'voice', changes),
    legs,
  });
  const email = (name: string, changes: Email[], legs: ExpectedLeg[]): Scenario => ({
    name,
    events: interaction(source, 'email', changes),
    legs,
  });
  const received: Email = {
    type: 'received',
    to: ['support@example.com'],
    from: 'customer@example.org',
    subject: 'Order 1234',
  };
  return [
    voice(
      'inbound call answered',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'offered', agentId: a },
        { type: 'answered', agentId: a },
        { type: 'disconnected', party: { kind: 'customer' } },
        { type: 'wrapUp', agentId: a, code, notes: 'order status given' },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'Peer', wrapup: code },
      ],
    ),
    voice(
      'hold and resume',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'answered', agentId: a },
        { type: 'held', agentId: a },
        { type: 'resumed', agentId: a },
        { type: 'held', agentId: a },
        { type: 'resumed', agentId: a },
        { type: 'disconnected', party: { kind: 'agent', agentId: a } },
        { type: 'wrapUp', agentId: a, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Peer' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'Self', wrapup: code, holds: 2 },
      ],
    ),
    voice(
      'blind transfer to an agent',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'answered', agentId: a },
        { type: 'blindTransfer', agentId: a, target: { kind: 'agent', agentId: b } },
        { type: 'wrapUp', agentId: a, code },
        { type: 'answered', agentId: b },
        { type: 'disconnected', party: { kind: 'customer' } },
        { type: 'wrapUp', agentId: b, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'TransferUser', wrapup: code },
        { purpose: 'agent', party: b, disconnectType: 'Peer', wrapup: code },
      ],
    ),
    voice(
      'blind transfer to a queue',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'answered', agentId: a },
        { type: 'blindTransfer', agentId: a, target: { kind: 'queue', queueId: r } },
        { type: 'offered', agentId: b },
        { type: 'answered', agentId: b },
        { type: 'disconnected', party: { kind: 'agent', agentId: b } },
        { type: 'wrapUp', agentId: a },
        { type: 'wrapUp', agentId: b, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Peer' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'TransferACD' },
        { purpose: 'acd', party: r, disconnectType: 'Transfer' },
        { purpose: 'agent', party: b, disconnectType: 'Self', wrapup: code },
      ],
    ),
    voice(
      'blind transfer to a number',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'offered', agentId: a },
        { type: 'answered', agentId: a },
        { type: 'blindTransfer', agentId: a, target: { kind: 'number', phoneNumber: '+15550177' } },
        { type: 'wrapUp', agentId: a, code },
        { type: 'disconnected', party: { kind: 'customer' } },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'Transfer', wrapup: code },
        { purpose: 'customer', disconnectType: 'Peer' },
      ],
    ),
    voice(
      'consult transfer completed',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'answered', agentId: a },
        { type: 'consultStarted', agentId: a, consultId: 'c1', target: { kind: 'agent', agentId: b } },
        { type: 'answered', agentId: b },
        { type: 'consultCompleted', consultId: 'c1' },
        { type: 'disconnected', party: { kind: 'customer' } },
        { type: 'wrapUp', agentId: a, code },
        { type: 'wrapUp', agentId: b, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'TransferConsult', wrapup: code },
        { purpose: 'agent', party: b, disconnectType: 'Peer', wrapup: code },
      ],
    ),
    voice(
      'consult transfer cancelled',
      [
        inbound,
        { type: 'queued', queueId: q },
        { type: 'answered', agentId: a },
        { type: 'consultStarted', agentId: a, consultId: 'c1', target: { kind: 'agent', agentId: b } },
        { type: 'answered', agentId: b },
        { type: 'consultCancelled', consultId: 'c1' },
        { type: 'disconnected', party: { kind: 'customer' } },
        { type: 'wrapUp', agentId: a, code },
        { type: 'wrapUp', agentId: b },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'Peer', wrapup: code },
        { purpose: 'agent', party: b, disconnectType: 'Peer' },
      ],
    ),
    voice(
      'caller abandons in queue',
      [
        { ...inbound, ivr: { name: 'Main menu' } },
        { type: 'queued', queueId: q },
        { type: 'disconnected', party: { kind: 'customer' } },
      ],
      [
        { purpose: 'customer', disconnectType: 'Self' },
        { purpose: 'ivr', disconnectType: 'Transfer' },
        { purpose: 'acd', party: q, disconnectType: 'Peer' },
      ],
    ),
    voice(
      'outbound call',
      [
        {
          type: 'started',
          direction: 'outbound',
          ani: '+15550199',
          dnis: '+15550123',
          agentId: a,
          queueId: q,
        },
        { type: 'answered', agentId: a },
        { type: 'disconnected', party: { kind: 'agent', agentId: a } },
        { type: 'wrapUp', agentId: a, code },
      ],
      [
        { purpose: 'agent', party: a, disconnectType: 'Self', wrapup: code },
        { purpose: 'customer', disconnectType: 'Peer' },
      ],
    ),
    email(
      'inbound email with reply and wrap-up',
      [
        received,
        { type: 'queued', queueId: q },
        { type: 'assigned', agentId: a },
        { type: 'replySent', agentId: a },
        { type: 'closed', agentId: a, reason: 'resolved' },
        { type: 'wrapUp', agentId: a, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Peer' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'Self', wrapup: code },
      ],
    ),
    email(
      'email transferred',
      [
        received,
        { type: 'queued', queueId: q },
        { type: 'assigned', agentId: a },
        { type: 'transferred', agentId: a, target: { kind: 'agent', agentId: b } },
        { type: 'assigned', agentId: b },
        { type: 'replySent', agentId: b },
        { type: 'closed', agentId: b, reason: 'resolved' },
        { type: 'wrapUp', agentId: a, code },
        { type: 'wrapUp', agentId: b, code },
      ],
      [
        { purpose: 'customer', disconnectType: 'Peer' },
        { purpose: 'acd', party: q, disconnectType: 'Transfer' },
        { purpose: 'agent', party: a, disconnectType: 'TransferUser', wrapup: code },
        { purpose: 'agent', party: b, disconnectType: 'Self', wrapup: code },
      ],
    ),
    email(
      'outbound email',
      [
        {
          type: 'sent',
          agentId: a,
          to: ['customer@example.org'],
          from: 'support@example.com',
          subject: 'Your order',
        },
        { type: 'closed', agentId: a, reason: 'resolved' },
        { type: 'wrapUp', agentId: a, code },
      ],
      [
        { purpose: 'agent', party: a, disconnectType: 'Self', wrapup: code },
        { purpose: 'customer', disconnectType: 'Peer' },
      ],
    ),
    email(
      'email marked spam',
      [received, { type: 'queued', queueId: q }, { type: 'closed', reason: 'spam' }],
      [
        { purpose: 'customer', disconnectType: 'Spam' },
        { purpose: 'acd', party: q, disconnectType: 'Spam' },
      ],
    ),
  ];
}
