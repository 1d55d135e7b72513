/**
 * Plays timed events through the ingress as ACD adapters would: every tick it posts the events that
 * are due (in batches, a few requests at once), resends what the ingress answers `unavailable` after its
 * Retry-After, and keeps the counts and latencies the main job shows live and the benchmark reports.
 */
import axios from 'axios';
import type { TimedEvent } from './generator';

/** How to drive. */
export interface DriveOptions {
  ingressUrl: string;
  token: string;
  events: Iterable<TimedEvent>;
  /** How often due events are posted (default 100 ms). */
  tickMs?: number;
  /** Events per request (default 200). */
  maxBatch?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * Once every event has been sent, how long to keep resending what came back `unavailable` before
   * giving it up (counted as abandoned); by default until all are answered.
   */
  giveUpAfterMs?: number;
  /** Called about once a second with the counts so far. */
  onProgress?: (stats: DriveStats) => void;
}

/** What the driver saw. */
export interface DriveStats {
  sent: number;
  accepted: number;
  duplicate: number;
  refused: number;
  conversationFinished: number;
  /** Answered `unavailable` and sent again. */
  resent: number;
  /** Still answered `unavailable` when the driver gave up (see `giveUpAfterMs`). */
  abandoned: number;
  requests: number;
  /** Round trip of each request to the ingress, in ms. */
  requestMs: number[];
  /** How far behind its time the latest event went out, in ms. */
  lagMs: number;
  /** How far behind its time any event went out, in ms: how much longer than its own length the load took. */
  maxLagMs: number;
  /** Refusals, for the report: the first few reasons. */
  refusals: string[];
}

interface Answer {
  outcomes: { outcome: string; errors?: { field: string; message: string }[] }[];
}

/** Sends every event at its time; resolves when all have an answer other than `unavailable`. */
export async function driveLoad(options: DriveOptions): Promise<DriveStats> {
  const tickMs = options.tickMs ?? 100;
  const maxBatch = options.maxBatch ?? 200;
  const stats: DriveStats = {
    sent: 0,
    accepted: 0,
    duplicate: 0,
    refused: 0,
    conversationFinished: 0,
    resent: 0,
    abandoned: 0,
    requests: 0,
    requestMs: [],
    lagMs: 0,
    maxLagMs: 0,
    refusals: [],
  };
  const iterator = options.events[Symbol.iterator]();
  let next = iterator.next();
  const retry: { event: TimedEvent['event']; notBefore: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  let lastProgress = Date.now();

  const post = async (batch: TimedEvent['event'][]) => {
    const started = Date.now();
    stats.requests++;
    let response;
    try {
      response = await axios.post<Answer>(`${options.ingressUrl}/v1/events`, batch, {
        headers: { authorization: `Bearer ${options.token}` },
        validateStatus: (status) => status === 202 || status === 503,
        timeout: 60_000,
      });
    } catch {
      // No answer (or one the driver does not expect): nothing is known to be held; send it all again.
      stats.resent += batch.length;
      retry.push(...batch.map((event) => ({ event, notBefore: Date.now() + 1_000 })));
      return;
    }
    stats.requestMs.push(Date.now() - started);
    const retryAfterMs = Number(response.headers['retry-after'] ?? 1) * 1_000;
    response.data.outcomes.forEach((outcome, index) => {
      const event = batch[index]!;
      if (outcome.outcome === 'unavailable') {
        stats.resent++;
        retry.push({ event, notBefore: Date.now() + retryAfterMs });
      } else if (outcome.outcome === 'refused') {
        stats.refused++;
        if (stats.refusals.length < 20) {
          stats.refusals.push(
            `${event.eventId}: ${outcome.errors?.map((error) => `${error.field}: ${error.message}`).join('; ')}`,
          );
        }
      } else if (
        outcome.outcome === 'accepted' ||
        outcome.outcome === 'duplicate' ||
        outcome.outcome === 'conversationFinished'
      ) {
        stats[outcome.outcome]++;
      }
    });
  };

  let allSentAt: number | undefined;
  for (;;) {
    const now = Date.now();
    if (next.done) allSentAt ??= now;
    if (
      allSentAt !== undefined &&
      options.giveUpAfterMs !== undefined &&
      now - allSentAt > options.giveUpAfterMs
    ) {
      stats.abandoned += retry.splice(0).length;
    }
    const due: TimedEvent['event'][] = [];
    while (!next.done && next.value.atMs <= now) {
      stats.lagMs = now - next.value.atMs;
      stats.maxLagMs = Math.max(stats.maxLagMs, stats.lagMs);
      due.push(next.value.event);
      stats.sent++;
      next = iterator.next();
    }
    for (let index = retry.length - 1; index >= 0; index--) {
      if (retry[index]!.notBefore <= now) due.push(retry.splice(index, 1)[0]!.event);
    }
    for (let start = 0; start < due.length; start += maxBatch) {
      while (inFlight.size >= (options.concurrency ?? 4)) await Promise.race(inFlight);
      const request = post(due.slice(start, start + maxBatch)).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    if (options.onProgress && Date.now() - lastProgress >= 1_000) {
      lastProgress = Date.now();
      options.onProgress(stats);
    }
    if (next.done && retry.length === 0 && inFlight.size === 0) return stats;
    const wait = next.done ? tickMs : Math.min(tickMs, Math.max(0, next.value.atMs - Date.now()));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
