/**
 * The agent workflow's activities: resolve an external agent to its Genesys user and presence source
 * (unmapped, or claimed by another primary source, are answers, not errors), and publish the presence and
 * routing-status changes due at once through the worker's shared publisher with Genesys eventIds derived
 * from each event and its user, so a retry (or a run begun anew) is the same events to Genesys.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ServiceMetrics } from '../../config/metrics';
import type { AgentEvent } from '../../domain/events/agent-event';
import { agentEventId } from '../../domain/genesys/derived-ids';
import type { GenesysConnection } from '../genesys';
import { presence } from '../genesys/directory';
import { asActivityFailure, GenesysEventRejectedError } from '../genesys/errors';
import type { AgentDirectory } from '../directory/agent-directory';
import { namesAsMapping, type DirectoryMapping, type MappingTables } from '../directory/mapping';

const genesysNotConfigured = 'GenesysNotConfigured';

/** ApplicationFailure types of the agent activities. */
export const agentFailureTypes = { notConfigured: genesysNotConfigured } as const;

/** A presence state the source's mapping does not name: every event in that state is refused alike. */
class UnmappedPresenceState extends Error {}

/** The Genesys connection and mapping an activity needs, or a failure for good that says they are missing. */
export function requireGenesys(
  genesys: GenesysConnection | undefined,
  mapping: DirectoryMapping | undefined,
): { genesys: GenesysConnection; mapping: DirectoryMapping } {
  if (!genesys || !mapping) {
    throw ApplicationFailure.nonRetryable(
      'this worker has no Genesys connection configured (GENESYS_* settings)',
      genesysNotConfigured,
    );
  }
  return { genesys, mapping };
}

/** Who an external agent is in Genesys. */
export type AgentResolution =
  | { status: 'mapped'; userId: string; sourceId: string }
  | { status: 'unmapped'; reason: string }
  | { status: 'conflict'; userId: string; message: string };

/** One change to publish, and its time in Genesys. */
export interface AgentChange {
  /** The event's time in Genesys: its occurredAt, moved a millisecond past a tie in its stream. */
  eventDateTime: string;
  event: AgentEvent;
  /** When the bridge received the event (epoch ms), for its age at publish; absent from older workflows. */
  receivedAtMs?: number;
}

/** Where an agent's changes go: its Genesys user, or (when the workflow does not know it yet) the agent to look up first. */
export type AgentTarget =
  { userId: string; sourceId: string } | { source: string; agentId: string; fresh: boolean };

/** The changes of one agent that are due together, in the order they must reach Genesys. */
export interface AgentChangesToPublish {
  to: AgentTarget;
  changes: AgentChange[];
}

/**
 * What became of a publish: the user the changes went to (or why they went nowhere: then no change was
 * sent) and each change's outcome, in order.
 */
export interface AgentChangesPublished {
  resolution: AgentResolution;
  outcomes: AgentChangeOutcome[];
}

/** What became of one change: accepted, or refused for good (the workflow records it in its ledger). */
export type AgentChangeOutcome =
  { eventId: string; outcome: 'accepted' } | { eventId: string; outcome: 'rejected'; reason: string };

/** Dependencies of the agent activities. */
export interface AgentDependencies {
  genesys?: GenesysConnection;
  mapping?: DirectoryMapping;
  /** The source's mapping tables (from its directory snapshot); by default {@link namesAsMapping}. */
  mappingTables?: () => Promise<MappingTables>;
  /** The agent directories the directory sync leaves: agents listed there resolve without a Genesys call. */
  agentDirectory?: AgentDirectory;
  /** Where each published event's age is recorded (default: nowhere). */
  metrics?: ServiceMetrics;
}

/** Why a user the source names cannot take presence from it. */
function conflictMessage(
  userId: string,
  primarySourceId: string | undefined,
  source: string,
  sourceId: string,
) {
  return `user ${userId}'s primary presence source is ${primarySourceId ?? 'unknown'}, not ${source} (${sourceId}): Genesys takes presence for a user from one source only`;
}

/** Builds the agent activities. */
export function createAgentActivities({
  genesys,
  mapping,
  mappingTables,
  agentDirectory,
  metrics = ServiceMetrics.none,
}: AgentDependencies) {
  const connected = () => requireGenesys(genesys, mapping);

  /**
   * Finds the Genesys user of `agentId` at `source`, and whether the source may speak for it: from the
   * source's agent directory when it lists the agent, else by asking Genesys. `fresh` (after a directory
   * sync) re-reads the directory and asks Genesys again rather than trusting a cached answer.
   */
  const resolveAgent = async (source: string, agentId: string, fresh = false): Promise<AgentResolution> => {
    const { mapping: resolver } = connected();
    if (fresh) resolver.forgetUser(source, agentId);
    try {
      const listed = await agentDirectory?.agent(source, agentId, fresh);
      if (listed) {
        const { userId, primarySourceId, presenceSourceId: sourceId } = listed;
        return primarySourceId === sourceId
          ? { status: 'mapped', userId, sourceId }
          : {
              status: 'conflict',
              userId,
              message: conflictMessage(userId, primarySourceId, source, sourceId),
            };
      }
      const userId = await resolver.userId(source, agentId);
      if (userId === undefined) {
        return { status: 'unmapped', reason: `no Genesys user carries external id ${source}/${agentId}` };
      }
      const sourceId = await resolver.presenceSourceId(source);
      if (sourceId === undefined) {
        return { status: 'unmapped', reason: `presence source ${source} is not registered in Genesys yet` };
      }
      const primary = await presence.primarySource(resolver.lookupReader, userId);
      if (primary.sourceId !== sourceId) {
        return {
          status: 'conflict',
          userId,
          message: conflictMessage(userId, primary.sourceId, source, sourceId),
        };
      }
      return { status: 'mapped', userId, sourceId };
    } catch (error) {
      throw asActivityFailure(error);
    }
  };

  return {
    resolveAgent,

    /**
     * Publishes the changes that are due at once — presence and routing status side by side, each stream
     * in order, one event of a stream in flight at a time — and answers each one's outcome. Genesys's
     * refusal of an event is an outcome, not a failure: the stream moves on past it. A retryable failure
     * stops its stream and, once the other stream has gone as far as it can, fails the activity for a
     * retry with the same event ids (the publisher does not send again what Genesys already accepted).
     * An agent the workflow has not resolved yet is resolved first, in the same local activity (one
     * marker in the history, not two); when it is not mapped nothing is sent.
     */
    async publishAgentChanges({ to, changes }: AgentChangesToPublish): Promise<AgentChangesPublished> {
      const resolution: AgentResolution =
        'userId' in to ? { status: 'mapped', ...to } : await resolveAgent(to.source, to.agentId, to.fresh);
      if (resolution.status !== 'mapped') return { resolution, outcomes: [] };
      const { userId, sourceId } = resolution;
      const { genesys: connection, mapping: resolver } = connected();
      const tables = mappingTables ? await mappingTables() : namesAsMapping;
      const outcomes = new Map<string, AgentChangeOutcome>();
      let retryable: unknown;
      /** Publishes one change; answers whether this request carried it (not an earlier attempt's). */
      const publishOne = async ({ event, eventDateTime }: AgentChange): Promise<boolean> => {
        const { source, agentId, eventId } = event;
        // Derived from the event and the user it goes to: the same on every retry and every run (a reset's).
        const genesysEventId = agentEventId({ source, agentId, eventId, userId, sourceId });
        if (event.change.kind === 'routingStatus') {
          const { batchSize } = await connection.publisher.publishRoutingStatus({
            eventId: genesysEventId,
            eventDateTime,
            agentId: userId,
            sourceId,
            status: event.change.status,
          });
          return batchSize > 0;
        }
        const target = tables.presence(event.change.state);
        const presenceDefinitionId =
          target === undefined ? undefined : await resolver.presenceDefinitionId(target);
        if (presenceDefinitionId === undefined) {
          throw new UnmappedPresenceState(
            `presence state ${event.change.state} of ${event.source} has no Genesys presence in the mapping`,
          );
        }
        const { batchSize } = await connection.publisher.publishPresence({
          eventId: genesysEventId,
          eventDateTime,
          userId,
          sourceId,
          presenceDefinitionId,
          message: event.change.message,
        });
        return batchSize > 0;
      };
      const publishStream = async (stream: AgentChange[]) => {
        for (const change of stream) {
          const { eventId } = change.event;
          try {
            const sent = await publishOne(change);
            if (sent && change.receivedAtMs !== undefined) {
              metrics.eventPublished('agent', change.event.source, change.receivedAtMs);
            }
          } catch (error) {
            if (
              error instanceof UnmappedPresenceState ||
              (error instanceof GenesysEventRejectedError && !error.retryable)
            ) {
              outcomes.set(eventId, { eventId, outcome: 'rejected', reason: error.message });
              continue;
            }
            retryable ??= error;
            return;
          }
          outcomes.set(eventId, { eventId, outcome: 'accepted' });
        }
      };
      await Promise.all(
        (['presence', 'routingStatus'] as const).map((kind) =>
          publishStream(changes.filter((change) => change.event.change.kind === kind)),
        ),
      );
      if (retryable !== undefined) throw asActivityFailure(retryable);
      return { resolution, outcomes: changes.map((change) => outcomes.get(change.event.eventId)!) };
    },
  };
}
