/**
 * A batch of events in, every event's outcome out: what the events route and the adapter routes share.
 * The answer is 202 once Temporal holds what it could take, 503 with Retry-After when Temporal did not
 * take some, 422 when everything the request carried was refused; what it lists as accepted is never
 * lost, and what it lists as unavailable can be sent again as it is.
 */
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../../domain/events/field-errors';
import type { BridgeClient, EventOutcome } from '../library/bridge-client';
import type { RecordTranslation } from './adapters/adapter';
import type { Authenticate } from './sender-authentication';
import { errorBody, HttpError } from './http';

/** What a route that takes batches needs: where events go, who may send them, how many at once. */
export interface BatchSettings {
  bridge: BridgeClient;
  authenticate: Authenticate;
  /** Most events in one request. */
  maxBatchEvents: number;
  /** Seconds a 503 asks the sender to wait. */
  retryAfter: string;
}

/** The events of a body: one object, an array, or `{ "events": [...] }`. */
export function batchOf(body: Buffer, maxBatchEvents: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(
      400,
      'invalidJson',
      `body: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const events = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { events?: unknown }).events)
      ? (parsed as { events: unknown[] }).events
      : typeof parsed === 'object' && parsed !== null
        ? [parsed]
        : undefined;
  if (events === undefined)
    throw new HttpError(
      400,
      'invalidBody',
      'body: must be an event, an array of events or {"events": [...]}',
    );
  if (events.length === 0) throw new HttpError(400, 'emptyBatch', 'body: the batch is empty');
  if (events.length > maxBatchEvents) {
    throw new HttpError(
      413,
      'tooManyEvents',
      `body: ${events.length} events in one request; at most ${maxBatchEvents}`,
    );
  }
  return events;
}

/**
 * Answers with the counts and every event's outcome (and, from an adapter, what each record became):
 * 503 with Retry-After when Temporal did not take some events; else 422 when something was refused and
 * nothing was taken — no event accepted, duplicate or of a finished conversation, no record ignored by
 * name (a heartbeat is handled, and vendors resend what is not answered 2xx); else 202.
 */
export function answerOutcomes(
  reply: FastifyReply,
  outcomes: EventOutcome[],
  retryAfter: string,
  records?: RecordTranslation[],
) {
  const counts = { accepted: 0, duplicate: 0, refused: 0, conversationFinished: 0, unavailable: 0 };
  for (const outcome of outcomes) counts[outcome.outcome]++;
  const body = {
    ...counts,
    ...(records && { records: records.map(publicRecord) }),
    outcomes: outcomes.map(publicOutcome),
  };
  if (counts.unavailable > 0) {
    const message =
      `Temporal did not take ${counts.unavailable} of ${outcomes.length} events in time: ` +
      'send those answered unavailable again, as they are, after Retry-After';
    return reply
      .status(503)
      .header('retry-after', retryAfter)
      .send({ ...errorBody('unavailable', message), ...body });
  }
  const refusedRecords = records?.filter((record) => 'refused' in record) ?? [];
  const handled =
    counts.accepted +
    counts.duplicate +
    counts.conversationFinished +
    (records?.filter((record) => 'ignored' in record).length ?? 0);
  if (handled === 0 && counts.refused + refusedRecords.length > 0) {
    return reply
      .status(422)
      .send({ ...errorBody('allRefused', allRefused(outcomes, refusedRecords)), ...body });
  }
  return reply.status(202).send(body);
}

/** Why nothing of a request was taken, naming the first refusal's field. */
function allRefused(outcomes: EventOutcome[], refusedRecords: RecordTranslation[]): string {
  const refusedEvents = outcomes.filter((outcome) => outcome.outcome === 'refused');
  const what =
    refusedRecords.length === 0
      ? `all ${refusedEvents.length} events were refused`
      : refusedEvents.length === 0
        ? `all ${refusedRecords.length} records were refused`
        : `${refusedRecords.length} records and ${refusedEvents.length} events were refused`;
  const firstRecord = refusedRecords[0];
  const [where, errors] =
    firstRecord && 'refused' in firstRecord
      ? [`records[${firstRecord.record}]`, firstRecord.refused]
      : [`outcomes[${refusedEvents[0]!.index}]`, (refusedEvents[0] as { errors: FieldError[] }).errors];
  const first = errors[0];
  return `${what}, nothing was taken; the first, ${where}: ${first ? `${first.field}: ${first.message}` : 'refused'}`;
}

/** What the sender is told of one record: its events are counted, their outcomes listed apart. */
function publicRecord(translation: RecordTranslation) {
  return 'events' in translation
    ? { record: translation.record, events: translation.events.length }
    : translation;
}

/** What the sender is told of one event (workflow ids are the bridge's business). */
function publicOutcome(outcome: EventOutcome) {
  const { workflowId: _workflowId, ...rest } = outcome as EventOutcome & { workflowId?: string };
  return rest;
}
