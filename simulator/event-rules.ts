/**
 * The event rules that do not depend on a conversation's shape (contract §4): chronological order per
 * stream (rule 1), the 7-day and clock-skew limits (rule 2) and duplicate eventIds (rule 7), plus the
 * order in which the events of one batch are applied. Pure functions.
 */
import type { z } from 'zod';
import type { RejectionReason } from './state';

/** Why one event of a batch was not accepted. */
export interface Refusal {
  reason: RejectionReason;
  message: string;
  /** Genesys's per-event flag; only transient failures are worth resending. */
  retryable: boolean;
}

/** A refusal that no retry can fix. */
export function refuse(reason: RejectionReason, message: string): Refusal {
  return { reason, message, retryable: false };
}

/** Rule 2: not older than the age limit, not further in the future than the skew allowance. */
export function checkEventTime(
  eventDateTime: string,
  now: number,
  limits: { maxEventAgeMs: number; futureSkewMs: number },
): Refusal | undefined {
  const time = Date.parse(eventDateTime);
  if (time < now - limits.maxEventAgeMs) {
    const days = limits.maxEventAgeMs / 86_400_000;
    return refuse('tooOld', `eventDateTime ${eventDateTime} is older than ${days} days`);
  }
  if (time > now + limits.futureSkewMs) {
    const seconds = limits.futureSkewMs / 1000;
    return refuse('future', `eventDateTime ${eventDateTime} is more than ${seconds} s in the future`);
  }
  return undefined;
}

/** Rule 1: an event may not be earlier than the last one accepted for its stream (equal is fine). */
export function checkOrder(
  eventDateTime: string,
  lastAccepted: string | undefined,
  stream: string,
): Refusal | undefined {
  if (lastAccepted === undefined || Date.parse(eventDateTime) >= Date.parse(lastAccepted)) return undefined;
  return refuse(
    'outOfOrder',
    `eventDateTime ${eventDateTime} is earlier than ${lastAccepted}, the last event accepted for ${stream}`,
  );
}

/** What identifies an event's content, for rule 7 (the same eventId must carry the same event). */
export function fingerprint(key: string, event: unknown): string {
  return `${key}:${JSON.stringify(event)}`;
}

/** Rule 7: whether an eventId was seen, with the same content or not. */
export function checkDuplicate(
  accepted: ReadonlyMap<string, string>,
  eventId: string,
  eventFingerprint: string,
): 'new' | 'duplicate' | Refusal {
  const previous = accepted.get(eventId);
  if (previous === undefined) return 'new';
  if (previous === eventFingerprint) return 'duplicate';
  return refuse('eventIdReused', `eventId ${eventId} was already accepted for a different event`);
}

/** A zod failure as one line naming each field and what is wrong with it. */
export function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`));
      return `${prefix}${path.join('')}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Where an event type falls among events stamped with the same millisecond: a leg is established before
 * it is answered, transferred, held or ended, and a disposition comes last.
 */
export function processingRank(key: string): number {
  if (key.endsWith('EstablishedEvents')) return 0;
  if (/Answered|BeginTransmitting/.test(key)) return 1;
  if (/^(email)?(user|routing|phone|consult)TransferEvents$/i.test(key)) return 2;
  if (/^(email)?[pP]rogress/.test(key)) return 3;
  if (/^(email)?[eE]nd(Consult)?Transfer/.test(key)) return 5;
  if (key.endsWith('EndedEvents')) return 6;
  if (key.includes('Disposition')) return 7;
  return 4;
}
