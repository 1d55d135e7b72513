/**
 * A batch of events in, every event's outcome out: what the events route and the adapter routes share.
 * The answer is 202 once Temporal holds the accepted events, or 503 with Retry-After when it did not take
 * some; what it lists as accepted is never lost, and the rest can be sent again as they are.
 */
import type { FastifyReply } from 'fastify';
import type { BridgeClient, EventOutcome } from '../library/bridge-client';
import type { Authenticate } from './sender-authentication';
import { HttpError } from './http';

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
    throw new HttpError(400, 'body: must be an event, an array of events or {"events": [...]}');
  if (events.length === 0) throw new HttpError(400, 'body: the batch is empty');
  if (events.length > maxBatchEvents) {
    throw new HttpError(413, `body: ${events.length} events in one request; at most ${maxBatchEvents}`);
  }
  return events;
}

/** Answers with the counts and every event's outcome, beside `extra`: 202, or 503 when some were not taken. */
export function answerOutcomes(
  reply: FastifyReply,
  outcomes: EventOutcome[],
  retryAfter: string,
  extra: Record<string, unknown> = {},
) {
  const counts = { accepted: 0, duplicate: 0, refused: 0, conversationFinished: 0, unavailable: 0 };
  for (const outcome of outcomes) counts[outcome.outcome]++;
  const body = { ...counts, ...extra, outcomes: outcomes.map(publicOutcome) };
  if (counts.unavailable > 0) return reply.status(503).header('retry-after', retryAfter).send(body);
  return reply.status(202).send(body);
}

/** What the sender is told of one event (workflow ids are the bridge's business). */
function publicOutcome(outcome: EventOutcome) {
  const { workflowId: _workflowId, ...rest } = outcome as EventOutcome & { workflowId?: string };
  return rest;
}
