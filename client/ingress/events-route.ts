/**
 * `POST /v1/events`: one normalised event (a JSON object) or a batch (an array, or `{ "events": [...] }`)
 * from an authenticated source. Bad events are refused one by one, naming the field, while the good ones
 * of the same batch are accepted; the same eventId sent again is a duplicate, never a second injection.
 */
import type { FastifyInstance } from 'fastify';
import { answerOutcomes, batchOf, type BatchSettings } from './batches';
import { jsonBody } from './http';

/** Registers `POST /v1/events`. */
export function registerEventsRoute(app: FastifyInstance, settings: BatchSettings): void {
  app.post('/v1/events', async (request, reply) => {
    const body = jsonBody(request);
    const source = settings.authenticate(request, body);
    const events = batchOf(body, settings.maxBatchEvents);
    return answerOutcomes(reply, await settings.bridge.submit(events, { source }), settings.retryAfter);
  });
}
