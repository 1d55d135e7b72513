/**
 * The publisher: activities of many workflows in one worker process hand it single events; per
 * endpoint it packs whatever is waiting into one batch when the request budget grants a slot, so light
 * load costs one round trip per event and heavy load grows the batches while requests per minute stay
 * flat. Each `BatchEventResponse` error goes back to the caller of that event; a 429 pauses the
 * client's whole budget for its Retry-After (Genesys limits the token, not the endpoint).
 *
 * Callers keep at most one event of a stream (a user's presence, a conversation) in flight, as the
 * workflows do: batches of one endpoint travel concurrently and a 413 requeues its events, so two
 * events of one stream handed over separately could arrive out of order. The exception is a group: the
 * events of one conversation step, stamped with strictly increasing `eventDateTime`s, travel together
 * in one batch, which Genesys applies in chronological order.
 *
 * The publisher remembers the events Genesys accepted lately: a retried activity hands over the same
 * events with the same ids, and the ones already accepted are answered at once instead of being sent
 * again (Genesys would apply them once, but a resend costs a request and confuses its duplicate counts).
 * Another body under an accepted eventId is sent, for Genesys to refuse. An event handed over again while
 * its first copy still waits for the budget or is in flight (the attempt that handed it over timed out
 * behind a backlog) joins that copy and learns its outcome: under a backlog longer than the publish
 * timeout, every retry would otherwise add a copy to the queue and the backlog would feed itself.
 */
import {
  batchEventResponseSchema,
  type BatchEventResponse,
  type ConversationEvent,
  type ConversationEventKey,
  type UserPresenceEvent,
  type UserRoutingStatusEvent,
  eventEndpoints,
  type EventEndpoint,
} from '../../domain/genesys';
import { ServiceMetrics } from '../../config/metrics';
import type { GenesysClient, GenesysResponse } from './client';
import { asError, GenesysApiError, GenesysEventRejectedError } from './errors';
import { requestPriorities } from './request-budget';

/** What the caller of an accepted event learns. */
export interface PublishOutcome {
  eventId: string;
  /** `inin-correlation-id` of the request that carried it. */
  correlationId: string | undefined;
  /** How many events shared that request. */
  batchSize: number;
}

/** Batching settings. */
export interface PublisherOptions {
  maxEventsPerBatch: number;
  maxBatchBytes: number;
  /** Requests per endpoint that may be in flight at once. */
  maxRequestsInFlight?: number;
  /**
   * Least time between two requests of one endpoint unless a batch is full (default 0): under steady
   * load events gather for this long, so a raised rate limit does not turn into one request per event.
   * An event arriving at an idle endpoint still goes at once.
   */
  minIntervalMs?: number;
  /** Where the events' outcomes are counted (default: nowhere). */
  metrics?: ServiceMetrics;
}

/** How many accepted events the publisher remembers (several minutes of the seed scale's traffic). */
const rememberedAcceptances = 50_000;

/** Counters per endpoint. */
export interface EndpointStats {
  requests: number;
  eventsAccepted: number;
  /** Handed over again after Genesys had accepted them (a retried activity), answered without a request. */
  eventsAlreadyAccepted: number;
  /** Handed over again while the first copy waited or was in flight: joined to it, not sent twice. */
  eventsJoined: number;
  eventsRejected: number;
  requestsFailed: number;
  largestBatch: number;
}

interface PendingEvent {
  /** Events of one group share it, and they are queued side by side. */
  group?: number;
  key: string;
  eventId: string;
  json: string;
  resolve: (outcome: PublishOutcome) => void;
  reject: (error: Error) => void;
}

/** Batches events across callers into as few Genesys requests as the budget needs. */
export class EventPublisher {
  private readonly lanes: Record<EventEndpoint, Lane>;

  constructor(client: GenesysClient, options: PublisherOptions) {
    const accepted = new RecentlyAccepted(rememberedAcceptances);
    const lane = (endpoint: EventEndpoint) => new Lane(client, endpoint, options, accepted);
    this.lanes = {
      presence: lane('presence'),
      routingStatus: lane('routingStatus'),
      conversations: lane('conversations'),
    };
  }

  /** Publishes one user presence event. */
  publishPresence(event: UserPresenceEvent): Promise<PublishOutcome> {
    return this.lanes.presence.enqueue('userPresenceEvents', event);
  }

  /** Publishes one user routing status event. */
  publishRoutingStatus(event: UserRoutingStatusEvent): Promise<PublishOutcome> {
    return this.lanes.routingStatus.enqueue('userRoutingStatusEvents', event);
  }

  /**
   * Publishes the events of one conversation step in one batch (never split), each under its batch key:
   * their `eventDateTime`s must increase strictly, so Genesys applies them in order. One outcome each.
   */
  publishConversationStep(events: readonly { key: ConversationEventKey; event: { eventId: string } }[]) {
    return this.lanes.conversations.enqueueGroup(events);
  }

  /** Publishes one conversation event under its batch key (e.g. `userEstablishedEvents`). */
  publishConversationEvent<Key extends ConversationEventKey>(
    key: Key,
    event: ConversationEvent<Key>,
  ): Promise<PublishOutcome> {
    return this.lanes.conversations.enqueue(key, event);
  }

  /** Counters per endpoint. */
  stats(): Record<EventEndpoint, EndpointStats> {
    return {
      presence: { ...this.lanes.presence.stats },
      routingStatus: { ...this.lanes.routingStatus.stats },
      conversations: { ...this.lanes.conversations.stats },
    };
  }

  /** Events waiting or in flight, per endpoint. */
  backlog(): Record<EventEndpoint, number> {
    return {
      presence: this.lanes.presence.backlog,
      routingStatus: this.lanes.routingStatus.backlog,
      conversations: this.lanes.conversations.backlog,
    };
  }
}

/** The bodies of recently accepted events by eventId, bounded: past its size the oldest are forgotten. */
class RecentlyAccepted {
  private readonly bodies = new Map<string, string>();

  constructor(private readonly size: number) {}

  /** Whether exactly this event (same id, same body) was accepted. */
  has(eventId: string, json: string): boolean {
    return this.bodies.get(eventId) === json;
  }

  add(eventId: string, json: string): void {
    this.bodies.set(eventId, json);
    // A Map iterates in insertion order: the first is the oldest.
    if (this.bodies.size > this.size) this.bodies.delete(this.bodies.keys().next().value!);
  }
}

class Lane {
  readonly stats: EndpointStats = {
    requests: 0,
    eventsAccepted: 0,
    eventsAlreadyAccepted: 0,
    eventsJoined: 0,
    eventsRejected: 0,
    requestsFailed: 0,
    largestBatch: 0,
  };
  private readonly queue: PendingEvent[] = [];
  /** Every event queued or in flight, by eventId: a second copy joins the first. */
  private readonly unsettled = new Map<string, PendingEvent>();
  private inFlight = 0;
  private inFlightEvents = 0;
  private pumping = false;
  private kickScheduled = false;
  private lastSentAt = 0;
  private lingering: NodeJS.Timeout | undefined;
  private readonly maxInFlight: number;
  private maxEventsPerBatch: number;
  private groups = 0;

  constructor(
    private readonly client: GenesysClient,
    private readonly endpoint: EventEndpoint,
    private readonly options: PublisherOptions,
    private readonly accepted: RecentlyAccepted,
  ) {
    this.maxInFlight = options.maxRequestsInFlight ?? 4;
    this.maxEventsPerBatch = options.maxEventsPerBatch;
  }

  get backlog(): number {
    return this.queue.length + this.inFlightEvents;
  }

  enqueue(key: string, event: { eventId: string }, group?: number): Promise<PublishOutcome> {
    const json = JSON.stringify(event);
    if (this.accepted.has(event.eventId, json)) {
      this.stats.eventsAlreadyAccepted++;
      return Promise.resolve({ eventId: event.eventId, correlationId: undefined, batchSize: 0 });
    }
    const first = this.unsettled.get(event.eventId);
    if (first?.json === json) {
      this.stats.eventsJoined++;
      return new Promise((resolve, reject) => {
        const { resolve: resolveFirst, reject: rejectFirst } = first;
        first.resolve = (outcome) => {
          resolveFirst(outcome);
          resolve(outcome);
        };
        first.reject = (error) => {
          rejectFirst(error);
          reject(error);
        };
      });
    }
    return new Promise((resolve, reject) => {
      if (Buffer.byteLength(json) + batchOverhead(key) > this.options.maxBatchBytes) {
        reject(
          new GenesysEventRejectedError(
            event.eventId,
            `the event alone is larger than the ${this.options.maxBatchBytes}-byte batch limit`,
            false,
            undefined,
          ),
        );
        return;
      }
      const { eventId } = event;
      const settled = () => {
        if (this.unsettled.get(eventId) === item) this.unsettled.delete(eventId);
      };
      const item: PendingEvent = {
        group,
        key,
        eventId,
        json,
        resolve: (outcome) => {
          settled();
          resolve(outcome);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      this.unsettled.set(eventId, item);
      this.queue.push(item);
      this.kick();
    });
  }

  /** Queues events side by side under one group: a batch takes all of them or none. */
  enqueueGroup(events: readonly { key: string; event: { eventId: string } }[]): Promise<PublishOutcome>[] {
    const group = this.groups++;
    return events.map(({ key, event }) => this.enqueue(key, event, group));
  }

  // Deferred to the next turn of the event loop so events published in the same tick share a batch.
  private kick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
        const lingerMs = this.lastSentAt + (this.options.minIntervalMs ?? 0) - Date.now();
        if (lingerMs > 0 && this.queue.length < this.maxEventsPerBatch) {
          this.lingering ??= setTimeout(() => {
            this.lingering = undefined;
            this.kick();
          }, lingerMs);
          return;
        }
        try {
          await this.client.acquireSlot(requestPriorities.events);
        } catch (error) {
          // No token (bad credentials, login host down) or the budget closed: every waiting caller
          // learns it and retries through its activity.
          this.failQueued(error);
          return;
        }
        // Only this loop takes from the queue, so it is still non-empty once the slot is granted;
        // everything that arrived while waiting joins this batch.
        const batch = this.takeBatch();
        this.lastSentAt = Date.now();
        this.inFlight++;
        this.inFlightEvents += batch.length;
        void this.send(batch).finally(() => {
          this.inFlight--;
          this.inFlightEvents -= batch.length;
          this.kick();
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  private failQueued(error: unknown): void {
    const failure = asError(error);
    for (const item of this.queue.splice(0)) item.reject(failure);
  }

  private takeBatch(): PendingEvent[] {
    const batch: PendingEvent[] = [];
    const keys = new Set<string>();
    let bytes = 2;
    let next = 0;
    while (next < this.queue.length) {
      // A group goes whole: into this batch if it fits, else into the next (an empty batch takes it anyway).
      const first = this.queue[next]!;
      let end = next + 1;
      while (first.group !== undefined && this.queue[end]?.group === first.group) end++;
      const members = this.queue.slice(next, end);
      const newKeys = new Set(members.map((item) => item.key).filter((key) => !keys.has(key)));
      let added = 0;
      for (const item of members) added += Buffer.byteLength(item.json) + 1;
      for (const key of newKeys) added += batchOverhead(key);
      const full =
        batch.length + members.length > this.maxEventsPerBatch || bytes + added > this.options.maxBatchBytes;
      if (batch.length > 0 && full) break;
      bytes += added;
      for (const key of newKeys) keys.add(key);
      batch.push(...members);
      next = end;
    }
    this.queue.splice(0, batch.length);
    return batch;
  }

  private async send(batch: PendingEvent[]): Promise<void> {
    this.stats.requests++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    let response: GenesysResponse<BatchEventResponse>;
    try {
      response = await this.client.request({
        method: 'POST',
        path: eventEndpoints[this.endpoint],
        body: batchBody(batch),
        priority: requestPriorities.events,
        responseSchema: batchEventResponseSchema,
        slotHeld: true,
      });
    } catch (error) {
      this.stats.requestsFailed++;
      this.counted('failed', batch.length);
      const divisible = batch.some((item) => item.group === undefined || item.group !== batch[0]!.group);
      if (error instanceof GenesysApiError && error.status === 413 && batch.length > 1 && divisible) {
        // The body limit is an assumption; if Genesys's is smaller, halve the batch rather than fail it.
        this.queue.unshift(...batch);
        // Concurrent batches may all fail: the smallest halving wins.
        this.maxEventsPerBatch = Math.min(this.maxEventsPerBatch, Math.max(1, Math.floor(batch.length / 2)));
        return;
      }
      // A 429 has already paused the whole client's budget for its Retry-After.
      for (const item of batch) item.reject(asError(error));
      return;
    }
    // Additive increase after the halving (as in congestion control), and only from full batches: a
    // smaller real limit costs one 413 now and then, not every other request.
    if (batch.length >= this.maxEventsPerBatch) {
      this.maxEventsPerBatch = Math.min(this.options.maxEventsPerBatch, this.maxEventsPerBatch + 1);
    }
    this.settle(batch, response);
  }

  /** Hands each caller its event's outcome. */
  private settle(batch: PendingEvent[], response: GenesysResponse<BatchEventResponse>): void {
    const errors = response.data.errors ?? [];
    const ids = new Set(batch.map((item) => item.eventId));
    const unmatched = errors.find((error) => error.eventId === undefined || !ids.has(error.eventId));
    if (unmatched) {
      // An error that names no event of the batch cannot be placed: nobody may count as accepted, and
      // resending every event is safe because Genesys applies a repeated eventId once.
      const message = `Genesys refused an event the bridge cannot identify (${unmatched.message ?? 'no message'}); resend the batch`;
      this.counted('failed', batch.length);
      for (const item of batch) {
        this.stats.eventsRejected++;
        item.reject(new GenesysEventRejectedError(item.eventId, message, true, response.correlationId));
      }
      return;
    }
    const byEventId = new Map(errors.map((error) => [error.eventId, error]));
    const outcomes = { accepted: 0, rejected: 0, failed: 0 };
    for (const item of batch) {
      const error = byEventId.get(item.eventId);
      if (error) {
        this.stats.eventsRejected++;
        outcomes[error.retryable ? 'failed' : 'rejected']++;
        const message = error.message ?? 'rejected without a message';
        item.reject(
          new GenesysEventRejectedError(
            item.eventId,
            message,
            error.retryable ?? false,
            response.correlationId,
          ),
        );
      } else {
        this.stats.eventsAccepted++;
        outcomes.accepted++;
        this.accepted.add(item.eventId, item.json);
        item.resolve({
          eventId: item.eventId,
          correlationId: response.correlationId,
          batchSize: batch.length,
        });
      }
    }
    for (const [outcome, count] of Object.entries(outcomes)) if (count > 0) this.counted(outcome, count);
  }

  /** Counts `count` events of a request by what became of them (once per request, not per event). */
  private counted(outcome: string, count: number): void {
    (this.options.metrics ?? ServiceMetrics.none).genesysEvents.add(count, {
      endpoint: this.endpoint,
      outcome,
    });
  }
}

function batchOverhead(key: string): number {
  return key.length + 6; // "key":[...],
}

function batchBody(batch: PendingEvent[]): string {
  // Arrays stay in arrival order per key; the raw JSON is reused so the bytes sent are the bytes measured.
  const byKey = new Map<string, string[]>();
  for (const item of batch) {
    const list = byKey.get(item.key) ?? [];
    list.push(item.json);
    byKey.set(item.key, list);
  }
  return `{${[...byKey].map(([key, events]) => `${JSON.stringify(key)}:[${events.join(',')}]`).join(',')}}`;
}
