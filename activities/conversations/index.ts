/**
 * The conversation workflow's activities: resolve the parties an interaction names (agents, queues,
 * wrap-up codes) to Genesys ids, publish one lifecycle step's Genesys events strictly in order through
 * the worker's shared publisher (with the ids the workflow minted, so a retry is the same event to
 * Genesys), and upload the call's recording.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ServiceMetrics } from '../../config/metrics';
import type { ConversationEvent, ConversationEventKey } from '../../domain/genesys';
import type { GenesysConnection } from '../genesys';
import { asActivityFailure, GenesysEventRejectedError } from '../genesys/errors';
import type { AgentDirectory } from '../directory/agent-directory';
import { namesAsMapping, type DirectoryMapping, type MappingTables } from '../directory/mapping';
import { requireGenesys } from '../agents';
import { RecordingConfirmer } from '../genesys/recording-confirmer';
import { uploadRecordingFile, type RecordingToUpload, type UploadedRecording } from './recording';
import { RecordingSources } from './recording-source';

/** ApplicationFailure types of the conversation activities. */
export const conversationFailureTypes = {
  /** Genesys refused an event of the step for good; details say which. */
  stepRejected: 'ConversationStepRejected',
} as const;

/** The parties one lifecycle step names, by their ids at the source. */
export interface PartiesToResolve {
  source: string;
  agents: string[];
  queues: string[];
  wrapupCodes: string[];
  /** After a directory sync: ask Genesys again rather than trusting cached misses. */
  fresh?: boolean;
}

/** Genesys ids of the parties, or what is missing. */
export type PartyResolution =
  | {
      status: 'resolved';
      sourceId: string;
      users: Record<string, string>;
      queues: Record<string, string>;
      wrapupCodes: Record<string, string>;
    }
  | { status: 'unmapped'; missing: string[] };

/** One Genesys conversation event with the ids the workflow minted. */
export type GenesysConversationEvent = {
  [Key in ConversationEventKey]: { key: Key; event: ConversationEvent<Key> };
}[ConversationEventKey];

/** Which source event a step publishes, for its age at publish; absent from older workflows. */
export interface StepOrigin {
  source: string;
  /** When the bridge received the step's event (epoch ms). */
  receivedAtMs: number;
}

/** Dependencies of the conversation activities. */
export interface ConversationDependencies {
  genesys?: GenesysConnection;
  mapping?: DirectoryMapping;
  mappingTables?: () => Promise<MappingTables>;
  /** Where recordings are spooled while they are hashed (default: the OS temp directory). */
  recordingSpoolDir?: string;
  /** Confirms uploaded recordings in groups (default: one for these activities, over `genesys`). */
  recordingConfirmer?: RecordingConfirmer;
  /**
   * How each source's recordings are reached: the origins its URLs may point to, its credentials, S3
   * (default: no origins listed, no credentials, S3 through the SDK's default chains).
   */
  recordingSources?: RecordingSources;
  /** The agent directories the directory sync leaves: agents listed there resolve without a Genesys call. */
  agentDirectory?: AgentDirectory;
  /** Where steps' ages at publish and recordings' upload ages are recorded (default: nowhere). */
  metrics?: ServiceMetrics;
}

/** Builds the conversation activities. */
export function createConversationActivities({
  genesys,
  mapping,
  mappingTables,
  recordingSpoolDir,
  recordingConfirmer,
  recordingSources = new RecordingSources(),
  agentDirectory,
  metrics = ServiceMetrics.none,
}: ConversationDependencies) {
  const connected = () => requireGenesys(genesys, mapping);
  // One per worker, as the publisher is: every upload of the worker waits in the same rounds of reports.
  let confirmer = recordingConfirmer;

  return {
    /**
     * Resolves every party a step names; unmapped ones are an answer (the workflow waits), not an error.
     * Agents the source's agent directory lists (and the source itself, once it has one) need no Genesys
     * call; a user another primary source owns still takes part in conversations.
     */
    async resolveConversationParties(parties: PartiesToResolve): Promise<PartyResolution> {
      const { mapping: resolver } = connected();
      const tables = mappingTables ? await mappingTables() : namesAsMapping;
      if (parties.fresh) resolver.forgetMisses();
      try {
        const listing = await agentDirectory?.listing(parties.source, parties.fresh);
        const missing: string[] = [];
        const resolveAll = async (
          ids: string[],
          what: string,
          lookup: (id: string) => Promise<string | undefined>,
        ) => {
          const found: Record<string, string> = {};
          await Promise.all(
            ids.map(async (id) => {
              const resolved = await lookup(id);
              if (resolved === undefined) missing.push(`${what} ${id}`);
              else found[id] = resolved;
            }),
          );
          return found;
        };
        const byName = (name: string | undefined, lookup: (name: string) => Promise<string | undefined>) =>
          name === undefined ? Promise.resolve(undefined) : lookup(name);
        const [sourceId, users, queues, wrapupCodes] = await Promise.all([
          listing?.presenceSourceId ?? resolver.presenceSourceId(parties.source),
          resolveAll(parties.agents, 'agent', async (id) => {
            const listed = listing?.agents.get(id);
            return listed ? listed.userId : resolver.userId(parties.source, id);
          }),
          resolveAll(parties.queues, 'queue', (id) =>
            byName(tables.queueName(id), (name) => resolver.queueId(name)),
          ),
          resolveAll(parties.wrapupCodes, 'wrap-up code', (id) =>
            byName(tables.wrapupCodeName(id), (name) => resolver.wrapupCodeId(name)),
          ),
        ]);
        if (sourceId === undefined) missing.unshift(`presence source ${parties.source}`);
        if (sourceId === undefined || missing.length > 0)
          return { status: 'unmapped', missing: missing.sort() };
        return { status: 'resolved', sourceId, users, queues, wrapupCodes };
      } catch (error) {
        throw asActivityFailure(error);
      }
    },

    /**
     * Publishes one step's events in order, each after Genesys accepted the one before. A retried attempt
     * hands the same events over again; the publisher answers the ones Genesys already accepted without
     * sending them. A refusal for good fails with the index and key of the refused event.
     */
    async publishConversationStep(
      events: GenesysConversationEvent[],
      origin?: StepOrigin,
    ): Promise<{ published: number }> {
      const { genesys: connection } = connected();
      // One batch: the workflow stamped the step's events a millisecond apart, so Genesys applies them in order.
      const outcomes = await Promise.allSettled(connection.publisher.publishConversationStep(events));
      // A refusal for good blocks the step; any other failure retries it (what was accepted is not resent).
      const refusal = outcomes.findIndex(
        (outcome) =>
          outcome.status === 'rejected' &&
          outcome.reason instanceof GenesysEventRejectedError &&
          !outcome.reason.retryable,
      );
      if (refusal >= 0) {
        const { key, event } = events[refusal]!;
        const error = (outcomes[refusal] as PromiseRejectedResult).reason as GenesysEventRejectedError;
        throw ApplicationFailure.create({
          type: conversationFailureTypes.stepRejected,
          message: `Genesys refused ${key} (event ${event.eventId}): ${error.message}`,
          nonRetryable: true,
          details: [{ index: refusal, key, eventId: event.eventId, correlationId: error.correlationId }],
        });
      }
      const failure = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failure) throw asActivityFailure(failure.reason);
      // Aged once per source event, when a request of this attempt carried it (a retry's resend is answered free).
      const sent = outcomes.some((outcome) => outcome.status === 'fulfilled' && outcome.value.batchSize > 0);
      if (origin && sent) metrics.eventPublished('conversation', origin.source, origin.receivedAtMs);
      return { published: events.length };
    },

    /** Streams a recording from its source to Genesys and confirms it is playable. */
    async uploadRecording(recording: RecordingToUpload): Promise<UploadedRecording> {
      const { genesys: connection } = connected();
      confirmer ??= new RecordingConfirmer(connection.client);
      const context = Context.current();
      // Aged from the upload's first scheduling: every attempt and the backoff between them count.
      const ended = (outcome: 'uploaded' | 'failed') =>
        metrics.recordingUploadAge.record(
          Math.max(0, Date.now() - context.info.scheduledTimestampMs) / 1_000,
          {
            source: recording.source,
            outcome,
          },
        );
      try {
        const uploaded = await uploadRecordingFile(connection.client, recording, context, {
          confirmer,
          spoolDir: recordingSpoolDir,
          sources: recordingSources,
        });
        ended('uploaded');
        return uploaded;
      } catch (error) {
        if (error instanceof ApplicationFailure && error.nonRetryable) ended('failed');
        throw error;
      }
    },
  };
}

export type { RecordingToUpload, UploadedRecording } from './recording';
export { RecordingSources, type RecordingSourceOptions } from './recording-source';
