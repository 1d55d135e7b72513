/**
 * The three BYOI event endpoints (contract §3). A batch is checked as a whole (shape, size), then each
 * event on its own: schema, duplicate eventId, age, the endpoint's entity and order rules, an injected
 * transient failure, and (conversations) the supported-scenario state machine. The answer lists every
 * event not accepted with its reason and `retryable` flag.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  conversationEventSchemas,
  userPresenceEventSchema,
  userRoutingStatusEventSchema,
  type ConversationEventKey,
  type EventError,
  type UserPresenceEvent,
  type UserRoutingStatusEvent,
  eventEndpoints,
} from '../domain/genesys';
import type { SimulatorContext } from './context';
import type { ConversationDirectory } from './conversation-model';
import { applyConversationEvent } from './conversation-rules';
import { SimulatorHttpError } from './errors';
import {
  checkDuplicate,
  checkEventTime,
  checkOrder,
  describeIssues,
  fingerprint,
  processingRank,
  refuse,
  type Refusal,
} from './event-rules';
import { settleWaitingUploads } from './upload-target';
import type { AcceptedKind, SameTimeEvent, SimulatorState, UserStream } from './state';

interface BatchItem {
  key: string;
  position: string;
  raw: unknown;
}

interface ParsedItem<Event> extends BatchItem {
  event: Event;
}

/** How one endpoint checks and applies its events. */
interface EventRules<Event extends { eventId: string; eventDateTime: string }> {
  /** The strict schema of each event type (batch key) the endpoint takes. */
  schemas: Readonly<Record<string, z.ZodType<Event>>>;
  /** Entity and order rules; nothing is changed. */
  check(state: SimulatorState, item: ParsedItem<Event>): Refusal | undefined;
  /** Applies an accepted event; the conversation state machine may still refuse it. */
  apply(state: SimulatorState, item: ParsedItem<Event>, receivedAt: string): Refusal | undefined;
}

function readBatch(body: unknown, schemas: object, maxEvents: number): BatchItem[] {
  const keys = Object.keys(schemas);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SimulatorHttpError(400, `The body must be a JSON object with the keys ${keys.join(', ')}`);
  }
  const items: BatchItem[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!keys.includes(key)) {
      throw new SimulatorHttpError(400, `Unknown event type ${key}`, 'invalid.value', [
        { fieldName: key, errorCode: 'invalid.value' },
      ]);
    }
    if (!Array.isArray(value)) {
      throw new SimulatorHttpError(400, `${key} must be an array of events`, 'invalid.value', [
        { fieldName: key, errorCode: 'invalid.value' },
      ]);
    }
    value.forEach((raw, index) => items.push({ key, position: `${key}[${index}]`, raw }));
  }
  if (items.length > maxEvents) {
    throw new SimulatorHttpError(
      413,
      `A batch carries at most ${maxEvents} events; this one carries ${items.length}`,
    );
  }
  return items;
}

function rawEventId(raw: unknown): string | undefined {
  const eventId =
    typeof raw === 'object' && raw !== null ? (raw as { eventId?: unknown }).eventId : undefined;
  return typeof eventId === 'string' ? eventId : undefined;
}

function processBatch<Event extends { eventId: string; eventDateTime: string }>(
  context: SimulatorContext,
  items: BatchItem[],
  rules: EventRules<Event>,
): EventError[] {
  const { state, faults, limits } = context;
  const errors: EventError[] = [];
  const refused = (eventId: string | undefined, refusal: Refusal) => {
    state.reject(refusal.reason);
    errors.push({ eventId, message: refusal.message, retryable: refusal.retryable });
  };
  state.counters.eventsReceived += items.length;
  const parsed: ParsedItem<Event>[] = [];
  for (const item of items) {
    const result = rules.schemas[item.key]!.safeParse(item.raw);
    if (result.success) parsed.push({ ...item, event: result.data });
    else refused(rawEventId(item.raw), refuse('invalid', describeIssues(item.position, result.error)));
  }
  // Genesys applies a batch in time order ("chronological order"), whatever array each event came in; the
  // bridge sends a conversation step's events in one batch, stamped a millisecond apart, and relies on it.
  // [assumption] Equal times (which Genesys leaves to chance) go by key: see processingRank; the
  // consistency report lists every such tie it accepted (sameTimeInConversation, sameTimeInUserStream).
  parsed.sort(
    (a, b) =>
      Date.parse(a.event.eventDateTime) - Date.parse(b.event.eventDateTime) ||
      processingRank(a.key) - processingRank(b.key),
  );
  const now = Date.now();
  const receivedAt = new Date(now).toISOString();
  for (const item of parsed) {
    const { eventId, eventDateTime } = item.event;
    const print = fingerprint(item.key, item.event);
    const duplicate = checkDuplicate(state.acceptedEvents, eventId, print);
    if (duplicate === 'duplicate') {
      // Rule 7: accepted again, applied once.
      state.counters.duplicateEventIds++;
      state.counters.eventsAccepted++;
      continue;
    }
    const refusal =
      (duplicate === 'new' ? undefined : duplicate) ??
      checkEventTime(eventDateTime, now, limits) ??
      rules.check(state, item) ??
      (faults.transientEventError()
        ? { reason: 'transient' as const, message: 'Temporary failure; resend the event', retryable: true }
        : undefined) ??
      rules.apply(state, item, receivedAt);
    if (refusal) {
      refused(eventId, refusal);
      continue;
    }
    state.accept(eventId, print, {
      at: now,
      kind: acceptedKind(item.key),
      lagMs: now - Date.parse(eventDateTime),
    });
  }
  return errors;
}

function acceptedKind(key: string): AcceptedKind {
  if (key === 'userPresenceEvents') return 'presence';
  return key === 'userRoutingStatusEvents' ? 'routingStatus' : 'conversation';
}

function checkUserStream(
  state: SimulatorState,
  kind: 'presence' | 'routingStatus',
  event: { userId: string; sourceId: string; eventDateTime: string },
  field: string,
): Refusal | undefined {
  const user = state.users.get(event.userId);
  if (!user) return refuse('unknownUser', `${field} ${event.userId} is not a user of this organization`);
  if (!state.presenceSources.has(event.sourceId)) {
    return refuse('unknownSource', `sourceId ${event.sourceId} is not a registered presence source`);
  }
  if (user.primarySourceId !== event.sourceId) {
    // Rule 4: one authoritative external source per user.
    const primary = user.primarySourceId ?? 'Genesys Cloud itself';
    return refuse(
      'notPrimarySource',
      `user ${user.id}'s primary presence source is ${primary}, not ${event.sourceId}`,
    );
  }
  const stream = state.stream(kind, user.id);
  return checkOrder(event.eventDateTime, stream.lastEventDateTime, `user ${user.id}'s ${kind} stream`);
}

/** Notes an accepted event that ties in time with the one accepted before it in its stream. */
function noteTie(
  state: SimulatorState,
  previous: { eventId: string; eventDateTime: string } | undefined,
  tie: Omit<SameTimeEvent, 'previousEventId'>,
): void {
  if (previous?.eventDateTime === tie.eventDateTime) {
    state.sameTimeEvents.push({ ...tie, previousEventId: previous.eventId });
  }
}

function appendToStream(
  state: SimulatorState,
  kind: 'presence' | 'routingStatus',
  userId: string,
  entry: UserStream['timeline'][number],
): undefined {
  const stream = state.stream(kind, userId);
  noteTie(state, stream.timeline.at(-1), {
    stream: kind,
    eventId: entry.eventId,
    eventDateTime: entry.eventDateTime,
    key: kind === 'presence' ? 'userPresenceEvents' : 'userRoutingStatusEvents',
    userId,
  });
  stream.lastEventDateTime = entry.eventDateTime;
  stream.timeline.push(entry);
  return undefined;
}

const presenceRules: EventRules<UserPresenceEvent> = {
  schemas: { userPresenceEvents: userPresenceEventSchema.strict() },
  check(state, { event }) {
    if (
      event.presenceDefinitionId !== undefined &&
      !state.presenceDefinitions.has(event.presenceDefinitionId)
    ) {
      return refuse(
        'unknownPresenceDefinition',
        `presenceDefinitionId ${event.presenceDefinitionId} is not a presence definition of this organization`,
      );
    }
    return checkUserStream(state, 'presence', event, 'userId');
  },
  apply(state, { event }, receivedAt) {
    const definition =
      event.presenceDefinitionId === undefined
        ? undefined
        : state.presenceDefinitions.get(event.presenceDefinitionId);
    return appendToStream(state, 'presence', event.userId, {
      eventId: event.eventId,
      eventDateTime: event.eventDateTime,
      receivedAt,
      sourceId: event.sourceId,
      value: definition?.systemPresence,
      presenceDefinitionId: event.presenceDefinitionId,
      message: event.message,
    });
  },
};

const routingStatusRules: EventRules<UserRoutingStatusEvent> = {
  schemas: { userRoutingStatusEvents: userRoutingStatusEventSchema.strict() },
  check: (state, { event }) =>
    checkUserStream(state, 'routingStatus', { ...event, userId: event.agentId }, 'agentId'),
  apply: (state, { event }, receivedAt) =>
    appendToStream(state, 'routingStatus', event.agentId, {
      eventId: event.eventId,
      eventDateTime: event.eventDateTime,
      receivedAt,
      sourceId: event.sourceId,
      value: event.status,
    }),
};

type AnyConversationEvent = z.infer<(typeof conversationEventSchemas)[ConversationEventKey]>;
const conversationKeys = Object.keys(conversationEventSchemas) as ConversationEventKey[];

function directoryOf(state: SimulatorState): ConversationDirectory {
  return {
    userExists: (id) => state.users.has(id),
    queueExists: (id) => state.queues.has(id),
    wrapupCodeExists: (id) => state.wrapupCodes.has(id),
  };
}

const conversationRules: EventRules<AnyConversationEvent> = {
  schemas: Object.fromEntries(conversationKeys.map((key) => [key, conversationEventSchemas[key].strict()])),
  check(state, { event }) {
    const record = state.conversations.get(event.conversationId);
    return checkOrder(event.eventDateTime, record?.lastEventDateTime, `conversation ${event.conversationId}`);
  },
  apply(state, { key, event }, receivedAt) {
    const record = state.conversations.get(event.conversationId);
    const { outcome, conversation } = applyConversationEvent(
      record?.conversation,
      key as ConversationEventKey,
      event,
      directoryOf(state),
    );
    if (!outcome.accepted) return refuse('unsupportedScenario', outcome.message);
    const entry = {
      key,
      eventId: event.eventId,
      eventDateTime: event.eventDateTime,
      receivedAt,
      communicationId: 'communicationId' in event ? event.communicationId : undefined,
    };
    noteTie(state, record?.events.at(-1), {
      stream: 'conversation',
      eventId: event.eventId,
      eventDateTime: event.eventDateTime,
      key,
      conversationId: event.conversationId,
      communicationId: entry.communicationId,
    });
    if (record && conversation) {
      record.conversation = conversation;
      record.lastEventDateTime = event.eventDateTime;
      record.events.push(entry);
    } else if (conversation) {
      state.conversations.set(event.conversationId, {
        conversation,
        lastEventDateTime: event.eventDateTime,
        events: [entry],
      });
    }
    settleWaitingUploads(state, event.conversationId);
    return undefined;
  },
};

/** Registers `POST /api/v2/events/users/presence`, `…/routingstatus` and `/api/v2/events/conversations`. */
export function registerEventRoutes(app: FastifyInstance, context: SimulatorContext): void {
  const endpoints = [
    [eventEndpoints.presence, 'presence:userPresence:inject', presenceRules],
    [eventEndpoints.routingStatus, 'routing:routingstatus:inject', routingStatusRules],
    [eventEndpoints.conversations, 'conversation:conversation:inject', conversationRules],
  ] as const;
  for (const [path, permission, rules] of endpoints) {
    app.post(path, { config: { permission }, bodyLimit: context.limits.maxBatchBytes }, (request) => {
      const items = readBatch(request.body, rules.schemas, context.limits.maxEventsPerBatch);
      request.eventCount = items.length;
      return { errors: processBatch<{ eventId: string; eventDateTime: string }>(context, items, rules) };
    });
  }
}
