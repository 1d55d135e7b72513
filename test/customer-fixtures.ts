/** A customer's call and email, with data that must never reach Temporal in plain text, and how to look for it. */
import assert from 'node:assert/strict';
import { codecKeysFrom, newKeyEntry } from '../config/codec-keys';
import type { CodecKeys } from '../config/payload-codec';
import type { InteractionEvent } from '../domain/events/interaction-event';
import { interactionEvents } from '../tools/load/contact-centre';

/** What the customer told the contact centre: none of it may reach Temporal in plain text. */
export const customer = {
  number: '+15557654321',
  lineNumber: '+15550199123',
  name: 'Ada Quixote',
  email: 'ada.quixote@example.org',
  mailbox: 'help-desk@example.com',
  copied: 'bea.quixote@example.net',
  subject: 'Refund for order Q-77731',
};

/** The customer's call and email, each from its start to its wrap-up. */
export function customerInteractions(from: string): { call: InteractionEvent[]; email: InteractionEvent[] } {
  const call = interactionEvents(from, 'voice', [
    {
      type: 'started',
      direction: 'inbound',
      ani: customer.number,
      dnis: customer.lineNumber,
      aniName: customer.name,
    },
    { type: 'queued', queueId: 'Sales' },
    { type: 'answered', agentId: 'agent-1' },
    { type: 'disconnected', party: { kind: 'customer' } },
    { type: 'wrapUp', agentId: 'agent-1' },
  ]);
  const email = interactionEvents(from, 'email', [
    {
      type: 'received',
      to: [customer.mailbox],
      from: customer.email,
      cc: [customer.copied],
      subject: customer.subject,
    },
    { type: 'queued', queueId: 'Sales' },
    { type: 'assigned', agentId: 'agent-2' },
    { type: 'replySent', agentId: 'agent-2' },
    { type: 'closed', agentId: 'agent-2', reason: 'resolved' },
    { type: 'wrapUp', agentId: 'agent-2' },
  ]);
  return { call, email };
}

/** Which of the customer's data `text` holds, by name (the number also without its `+`). */
export function customerDataIn(text: string): string[] {
  const found = Object.entries(customer)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
  if (text.includes(customer.number.slice(1))) found.push('number without +');
  return [...new Set(found)];
}

/** Keys from fresh entries, the first sealing. */
export function freshKeys(entries = [newKeyEntry()]): CodecKeys {
  const problems: string[] = [];
  const keys = codecKeysFrom({ keys: entries.join(','), keyFile: undefined }, problems);
  assert.deepEqual(problems, []);
  return keys!;
}

/**
 * JSON as a reader would see it: its text, and every base64 string in it decoded (the CLI shows a
 * payload's data in base64, so plain JSON payloads hide there).
 */
export function readableJson(json: string): string {
  const decoded: string[] = [];
  JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'string' && value.length >= 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      decoded.push(Buffer.from(value, 'base64').toString('latin1'));
    }
    return value;
  });
  return [json, ...decoded].join('\n');
}
