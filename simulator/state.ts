/**
 * Everything the simulated organisation holds: the directory, issued tokens, each user's presence and
 * routing timeline, injected conversations, uploaded recordings and the counters the inspection API
 * shows. Plain data with small lookups; the routes own the rules.
 */
import type { RoutingStatus, SystemPresence } from '../domain/genesys';
import type { SimulatedConversation } from './conversation-model';
import type { OrganizationSeed } from './seed';

/** A named directory entity. */
export interface NamedEntity {
  id: string;
  name: string;
}

/** A user as the simulator keeps it. */
export interface SimulatedUser extends NamedEntity {
  email: string;
  state: 'active' | 'inactive';
  version: number;
  divisionId: string;
  department?: string;
  title?: string;
  externalIds: { authorityName: string; externalKey: string }[];
  /** A presence source id; undefined means Genesys itself. */
  primarySourceId: string | undefined;
  skills: { id: string; proficiency: number }[];
  dateModified: string;
}

/** A queue as the simulator keeps it. */
export interface SimulatedQueue extends NamedEntity {
  description?: string;
  divisionId: string;
  memberIds: Set<string>;
  wrapupCodeIds: Set<string>;
}

/** One accepted presence or routing-status event, in a user's timeline. */
export interface TimelineEntry {
  eventId: string;
  eventDateTime: string;
  receivedAt: string;
  sourceId: string;
  /** Presence: the system presence of its definition; routing: the status. */
  value: SystemPresence | RoutingStatus | undefined;
  presenceDefinitionId?: string;
  message?: string;
}

/** One kind of event stream of one user (business rule 1 orders each separately). */
export interface UserStream {
  lastEventDateTime: string | undefined;
  timeline: TimelineEntry[];
}

/** One accepted conversation event. */
export interface ConversationEventEntry {
  key: string;
  eventId: string;
  eventDateTime: string;
  receivedAt: string;
  communicationId?: string;
}

/** A conversation with everything accepted for it. */
export interface ConversationRecord {
  conversation: SimulatedConversation;
  lastEventDateTime: string;
  events: ConversationEventEntry[];
}

/**
 * An accepted event stamped with the same eventDateTime as the one accepted before it in its
 * conversation or user stream: Genesys leaves the order of such events to chance.
 */
export interface SameTimeEvent {
  stream: 'conversation' | 'presence' | 'routingStatus';
  eventId: string;
  /** The event accepted before it, with the same time. */
  previousEventId: string;
  eventDateTime: string;
  key: string;
  conversationId?: string;
  communicationId?: string;
  userId?: string;
}

/** Upload statuses of contract §5. */
export type UploadStatus = 'Pending' | 'Success' | 'Failure' | 'WaitForConversation';

/** A recording upload, from presigned URL to settled status. */
export interface RecordingUpload {
  uploadKey: string;
  recordingId: string;
  fileName: string;
  conversationId: string;
  communicationId: string;
  contentMd5: string;
  contentType: string;
  expiresAt: number;
  signature: string;
  status: UploadStatus;
  errorMessage?: string;
  sizeBytes?: number;
  filePath?: string;
  dateCreated: string;
  dateModified: string;
}

/** The streams an accepted event belongs to, for the acceptance latencies. */
export type AcceptedKind = 'presence' | 'routingStatus' | 'conversation';

/** One accepted event: when Genesys took it and how long after its own time. */
export interface Acceptance {
  at: number;
  kind: AcceptedKind;
  /** Acceptance time minus the event's eventDateTime. */
  lagMs: number;
}

/** An upload-status report request. */
export interface UploadReport {
  id: string;
  dateSince: string;
  uploadStatus?: UploadStatus;
  createdAt: number;
}

/** An issued access token. */
export interface IssuedToken {
  clientId: string;
  permissions: string[];
  expiresAt: number;
  revoked: boolean;
  /** Times of requests counted against this token's rate limit, oldest first. */
  requestTimes: number[];
}

/** One served request, for the inspection log. */
export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  /** The route pattern, e.g. `/api/v2/users/:userId`. */
  route: string;
  status: number;
  clientId: string | undefined;
  /** Events carried, for the event endpoints. */
  events?: number;
  durationMs: number;
}

/** Why events were rejected, as counted by the inspection API. */
export type RejectionReason =
  | 'invalid'
  | 'eventIdReused'
  | 'tooOld'
  | 'future'
  | 'outOfOrder'
  | 'unknownUser'
  | 'unknownSource'
  | 'unknownPresenceDefinition'
  | 'notPrimarySource'
  | 'unsupportedScenario'
  | 'transient';

/** Counters shown by `GET /__simulator/stats`. */
export interface SimulatorCounters {
  requests: number;
  requestsByEndpoint: Record<string, number>;
  requestsByStatus: Record<string, number>;
  /** 429s the per-token rate limit answered (injected faults are counted apart). */
  rateLimited: number;
  tokensIssued: number;
  eventsReceived: number;
  eventsAccepted: number;
  eventsRejected: number;
  rejectedByReason: Partial<Record<RejectionReason, number>>;
  /** Events whose eventId had already been accepted (business rule 7: accepted once). */
  duplicateEventIds: number;
  /** Events refused because an event later in time was already accepted (business rule 1). */
  orderViolations: number;
  recordingsUploaded: number;
}

function emptyCounters(): SimulatorCounters {
  return {
    requests: 0,
    requestsByEndpoint: {},
    requestsByStatus: {},
    rateLimited: 0,
    tokensIssued: 0,
    eventsReceived: 0,
    eventsAccepted: 0,
    eventsRejected: 0,
    rejectedByReason: {},
    duplicateEventIds: 0,
    orderViolations: 0,
    recordingsUploaded: 0,
  };
}

const now = () => new Date().toISOString();

/** The simulated organisation. */
export class SimulatorState {
  readonly organization: NamedEntity;
  readonly homeDivision: NamedEntity;
  readonly clients: OrganizationSeed['oauthClients'];
  readonly users = new Map<string, SimulatedUser>();
  readonly queues = new Map<string, SimulatedQueue>();
  readonly skills = new Map<string, NamedEntity>();
  readonly languages = new Map<string, NamedEntity>();
  readonly wrapupCodes = new Map<string, NamedEntity>();
  readonly presenceSources = new Map<string, NamedEntity>();
  readonly presenceDefinitions = new Map<
    string,
    { id: string; systemPresence: SystemPresence; label: string }
  >();
  readonly tokens = new Map<string, IssuedToken>();
  /** Times of requests counted against each OAuth client's rate limit (limits `rateLimitBy: 'client'`). */
  readonly clientRequestTimes = new Map<string, number[]>();
  readonly presenceStreams = new Map<string, UserStream>();
  readonly routingStreams = new Map<string, UserStream>();
  readonly conversations = new Map<string, ConversationRecord>();
  /** Accepted eventIds and a fingerprint of their body (business rule 7). */
  readonly acceptedEvents = new Map<string, string>();
  readonly uploads = new Map<string, RecordingUpload>();
  /** Upload keys waiting for their conversation, by conversation id. */
  readonly waitingUploads = new Map<string, Set<string>>();
  readonly reports = new Map<string, UploadReport>();
  readonly counters = emptyCounters();
  readonly requestLog: RequestLogEntry[] = [];
  /** Every accepted event's latency, oldest first; bounded like the request log. */
  readonly acceptances: Acceptance[] = [];
  /** Accepted events that tie with the previous one of their stream, for the consistency report. */
  readonly sameTimeEvents: SameTimeEvent[] = [];

  constructor(
    seed: OrganizationSeed,
    private readonly requestLogSize: number,
  ) {
    this.organization = seed.organization;
    this.homeDivision = seed.homeDivision;
    this.clients = seed.oauthClients;
    for (const definition of seed.presenceDefinitions)
      this.presenceDefinitions.set(definition.id, definition);
    for (const source of seed.presenceSources) this.presenceSources.set(source.id, source);
    for (const skill of seed.skills) this.skills.set(skill.id, skill);
    for (const language of seed.languages) this.languages.set(language.id, language);
    for (const code of seed.wrapupCodes) this.wrapupCodes.set(code.id, code);
    for (const user of seed.users) {
      this.users.set(user.id, {
        ...user,
        version: 1,
        divisionId: seed.homeDivision.id,
        primarySourceId: user.primarySourceId,
        skills: [],
        dateModified: now(),
      });
    }
    for (const queue of seed.queues) {
      this.queues.set(queue.id, {
        id: queue.id,
        name: queue.name,
        divisionId: seed.homeDivision.id,
        memberIds: new Set(queue.memberIds),
        wrapupCodeIds: new Set(),
      });
    }
  }

  /** The user carrying an external id, if any. */
  userByExternalId(authorityName: string, externalKey: string): SimulatedUser | undefined {
    for (const user of this.users.values()) {
      if (
        user.externalIds.some((id) => id.authorityName === authorityName && id.externalKey === externalKey)
      ) {
        return user;
      }
    }
    return undefined;
  }

  /** A user's presence or routing stream, created on first use. */
  stream(kind: 'presence' | 'routingStatus', userId: string): UserStream {
    const streams = kind === 'presence' ? this.presenceStreams : this.routingStreams;
    let stream = streams.get(userId);
    if (!stream) {
      stream = { lastEventDateTime: undefined, timeline: [] };
      streams.set(userId, stream);
    }
    return stream;
  }

  /** Counts one rejected event. */
  reject(reason: RejectionReason): void {
    this.counters.eventsRejected++;
    this.counters.rejectedByReason[reason] = (this.counters.rejectedByReason[reason] ?? 0) + 1;
    if (reason === 'outOfOrder') this.counters.orderViolations++;
  }

  /** Counts one accepted event and keeps its latency. */
  accept(eventId: string, fingerprint: string, acceptance: Acceptance): void {
    this.acceptedEvents.set(eventId, fingerprint);
    this.counters.eventsAccepted++;
    this.acceptances.push(acceptance);
    if (this.acceptances.length > this.requestLogSize * 10 + 10_000) {
      this.acceptances.splice(0, this.acceptances.length - this.requestLogSize * 10);
    }
  }

  /** Keeps one served request in the bounded log and counts it. */
  logRequest(entry: RequestLogEntry): void {
    const counters = this.counters;
    counters.requests++;
    const endpoint = `${entry.method} ${entry.route}`;
    counters.requestsByEndpoint[endpoint] = (counters.requestsByEndpoint[endpoint] ?? 0) + 1;
    counters.requestsByStatus[entry.status] = (counters.requestsByStatus[entry.status] ?? 0) + 1;
    this.requestLog.push(entry);
    // Trim in chunks so a full log costs one splice per thousand requests, not one per request.
    if (this.requestLog.length > this.requestLogSize + 1_000) {
      this.requestLog.splice(0, this.requestLog.length - this.requestLogSize);
    }
  }
}
