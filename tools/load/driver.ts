/**
 * Plays timed events through the ingress as ACD adapters would: every tick it posts the events that
 * are due (in batches, a few requests at once), resends what the ingress answers `unavailable` after its
 * Retry-After, and keeps the counts and latencies the main job shows live and the benchmark reports.
 * A request the ingress refuses whole (bad credentials, a body it will not take) stops the drive: every
 * other request would be refused the same way.
 */
import axios from 'axios';
import { z } from 'zod';
import type { TimedEvent } from './generator';
import { authenticationHeaders, refusalOf, type IngressRefusedError, type SenderCredential } from './sender';

/** How to drive. */
export type DriveOptions = DriveSettings & ({ token: string } | { credential: SenderCredential });

/** How to drive, besides the sender's credential. */
export interface DriveSettings {
  /** The ingress, or its replicas: each request goes to the next in turn (events of one agent land on each). */
  ingressUrl: string | readonly string[];
  events: Iterable<TimedEvent>;
  /** How often due events are posted (default 100 ms). */
  tickMs?: number;
  /** Events per request (default 200). */
  maxBatch?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * Keep the events' order through resends, as an adapter reading an ordered stream does: one request at
   * a time, and what must be resent goes out before anything newer (default: resends go out on their own
   * timers, beside newer events).
   */
  inOrder?: boolean;
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
  /** Requests the ingress did not answer (refused connection, timeout), and why the latest did not. */
  unanswered: number;
  lastUnanswered?: string;
  /** Round trip of each request to the ingress, in ms. */
  requestMs: number[];
  /** How far behind its time the latest event went out, in ms. */
  lagMs: number;
  /** How far behind its time any event went out, in ms: how much longer than its own length the load took. */
  maxLagMs: number;
  /** Refusals, for the report: the first few reasons. */
  refusals: string[];
  /** Refused fields by reason, `<field> <code>` → how many events had it. */
  refusalReasons: Record<string, number>;
}

/** The ingress's answer to a batch: every event's outcome, in the batch's order. */
const answerSchema = z.object({
  outcomes: z.array(
    z.object({
      outcome: z.enum(['accepted', 'duplicate', 'refused', 'conversationFinished', 'unavailable']),
      errors: z
        .array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() }))
        .optional(),
    }),
  ),
});

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
    unanswered: 0,
    requestMs: [],
    lagMs: 0,
    maxLagMs: 0,
    refusals: [],
    refusalReasons: {},
  };
  const credential: SenderCredential =
    'credential' in options ? options.credential : { kind: 'token', token: options.token };
  const iterator = options.events[Symbol.iterator]();
  let next = iterator.next();
  const retry: { event: TimedEvent['event']; notBefore: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const ingressUrls = [options.ingressUrl].flat();
  let turn = 0;
  let lastProgress = Date.now();
  let refusedWhole: IngressRefusedError | undefined;

  const resend = (batch: TimedEvent['event'][], afterMs: number) => {
    stats.resent += batch.length;
    const entries = batch.map((event) => ({ event, notBefore: Date.now() + afterMs }));
    // In order, nothing was sent after them (one request at a time): they head the queue again.
    if (options.inOrder) retry.unshift(...entries);
    else retry.push(...entries);
  };
  const post = async (batch: TimedEvent['event'][]) => {
    const started = Date.now();
    stats.requests++;
    const body = JSON.stringify(batch);
    let response;
    try {
      const ingressUrl = ingressUrls[turn++ % ingressUrls.length]!;
      response = await axios.post<unknown>(`${ingressUrl}/v1/events`, body, {
        headers: { 'content-type': 'application/json', ...authenticationHeaders(credential, body) },
        validateStatus: () => true,
        timeout: 60_000,
      });
    } catch (error) {
      // No answer: nothing is known to be held; send it all again.
      stats.unanswered++;
      stats.lastUnanswered = error instanceof Error ? error.message : String(error);
      resend(batch, 1_000);
      return;
    }
    stats.requestMs.push(Date.now() - started);
    // Retry-After in seconds; anything else (absent, a date) waits a second.
    const retryAfterMs = (Number(response.headers['retry-after']) || 1) * 1_000;
    const answer = answerSchema.safeParse(response.data);
    // 202, 503 (some unavailable) and 422 (all refused) list every event's outcome.
    if (!answer.success || answer.data.outcomes.length !== batch.length) {
      if (response.status === 429 || response.status >= 500) resend(batch, retryAfterMs);
      else refusedWhole ??= refusalOf(response.status, response.data, `a batch of ${batch.length} events`);
      return;
    }
    const unavailable: TimedEvent['event'][] = [];
    answer.data.outcomes.forEach((outcome, index) => {
      const event = batch[index]!;
      if (outcome.outcome === 'unavailable') unavailable.push(event);
      else if (outcome.outcome === 'refused') noteRefusal(stats, event.eventId, outcome.errors ?? []);
      else stats[outcome.outcome]++;
    });
    if (unavailable.length > 0) resend(unavailable, retryAfterMs);
  };

  let allSentAt: number | undefined;
  for (;;) {
    if (refusedWhole) {
      await Promise.allSettled(inFlight);
      throw refusedWhole;
    }
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
    if (options.inOrder) {
      // One queue: new events wait behind what is to be resent; one batch goes out once nothing is in flight.
      retry.push(...due.splice(0).map((event) => ({ event, notBefore: 0 })));
      if (inFlight.size === 0 && retry.length > 0 && retry[0]!.notBefore <= now) {
        due.push(...retry.splice(0, maxBatch).map((entry) => entry.event));
      }
    } else {
      for (let index = retry.length - 1; index >= 0; index--) {
        if (retry[index]!.notBefore <= now) due.push(retry.splice(index, 1)[0]!.event);
      }
    }
    for (let start = 0; start < due.length; start += maxBatch) {
      while (inFlight.size >= (options.inOrder ? 1 : (options.concurrency ?? 4)))
        await Promise.race(inFlight);
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

function noteRefusal(
  stats: DriveStats,
  eventId: string,
  errors: { field: string; message: string; code?: string }[],
): void {
  stats.refused++;
  for (const error of errors) {
    const reason = `${error.field} ${error.code ?? 'refused'}`;
    stats.refusalReasons[reason] = (stats.refusalReasons[reason] ?? 0) + 1;
  }
  if (stats.refusals.length < 20) {
    stats.refusals.push(
      `${eventId}: ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`,
    );
  }
}
