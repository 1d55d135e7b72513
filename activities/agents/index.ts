/**
 * The agent workflow's activities: resolve an external agent to its Genesys user and presence source
 * (unmapped, or claimed by another primary source, are answers, not errors), and publish one presence or
 * routing-status change through the worker's shared publisher with the Genesys eventId the workflow
 * minted, so a retry is the same event to Genesys.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AgentEvent } from '../events/agent-event';
import type { GenesysConnection } from '../genesys';
import { presence } from '../genesys/directory';
import { asActivityFailure } from '../genesys/errors';
import type { AgentDirectory } from '../directory/agent-directory';
import { namesAsMapping, type DirectoryMapping, type MappingTables } from '../directory/mapping';

const genesysNotConfigured = 'GenesysNotConfigured';

/** ApplicationFailure types of the agent activities. */
export const agentFailureTypes = {
  /** The external presence state has no Genesys presence in the mapping. */
  unmappedPresenceState: 'UnmappedPresenceState',
  notConfigured: genesysNotConfigured,
} as const;

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

/** One change to publish, with the ids the workflow minted. */
export interface AgentChangeToPublish {
  userId: string;
  sourceId: string;
  /** Minted once in the workflow (UUID v4) and reused on every retry. */
  genesysEventId: string;
  event: AgentEvent;
}

/** Dependencies of the agent activities. */
export interface AgentDependencies {
  genesys?: GenesysConnection;
  mapping?: DirectoryMapping;
  /** The source's mapping tables (from its directory snapshot); by default {@link namesAsMapping}. */
  mappingTables?: () => Promise<MappingTables>;
  /** The agent directories the directory sync leaves: agents listed there resolve without a Genesys call. */
  agentDirectory?: AgentDirectory;
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
}: AgentDependencies) {
  const connected = () => requireGenesys(genesys, mapping);

  return {
    /**
     * Finds the Genesys user of `agentId` at `source`, and whether the source may speak for it: from the
     * source's agent directory when it lists the agent, else by asking Genesys. `fresh` (after a directory
     * sync) re-reads the directory and asks Genesys again rather than trusting a cached answer.
     */
    async resolveAgent(source: string, agentId: string, fresh = false): Promise<AgentResolution> {
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
    },

    /** Publishes one change; Genesys's refusal comes back as a non-retryable failure for the ledger. */
    async publishAgentChange(
      change: AgentChangeToPublish,
    ): Promise<{ correlationId?: string; batchSize: number }> {
      const { genesys: connection, mapping: resolver } = connected();
      const { event, userId, sourceId, genesysEventId } = change;
      try {
        if (event.change.kind === 'routingStatus') {
          return await connection.publisher.publishRoutingStatus({
            eventId: genesysEventId,
            eventDateTime: event.occurredAt,
            agentId: userId,
            sourceId,
            status: event.change.status,
          });
        }
        const tables = mappingTables ? await mappingTables() : namesAsMapping;
        const target = tables.presence(event.change.state);
        const presenceDefinitionId =
          target === undefined ? undefined : await resolver.presenceDefinitionId(target);
        if (presenceDefinitionId === undefined) {
          throw ApplicationFailure.nonRetryable(
            `presence state ${event.change.state} of ${event.source} has no Genesys presence in the mapping`,
            agentFailureTypes.unmappedPresenceState,
          );
        }
        return await connection.publisher.publishPresence({
          eventId: genesysEventId,
          eventDateTime: event.occurredAt,
          userId,
          sourceId,
          presenceDefinitionId,
          message: event.change.message,
        });
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        throw asActivityFailure(error);
      }
    },
  };
}
