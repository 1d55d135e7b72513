/**
 * The directory sync activity: read the snapshot, read Genesys, plan, apply. It heartbeats its progress;
 * a retry (after a crash, a timeout or a retryable Genesys failure) starts again from a fresh read, and
 * because the plan is the difference between the snapshot and what Genesys now holds, nothing already
 * done is done twice.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { GenesysConnection } from '../genesys';
import { asActivityFailure, asError } from '../genesys/errors';
import { agentDirectoryOf, type AgentDirectory } from './agent-directory';
import { applyDirectoryPlan, type DirectorySyncFailure } from './apply';
import type { SnapshotLocation } from '../../domain/directory/location';
import { loadDirectorySnapshot } from './load-snapshot';
import { planDirectorySync } from './plan';
import { notifyMappingWaiters } from './notify';
import { readGenesysDirectory } from './read';
import { DirectorySnapshotError } from '../../domain/directory/snapshot';

const heartbeatEveryMs = 5_000;

/** ApplicationFailure types of the directory sync. */
export const directoryFailureTypes = { invalidSnapshot: 'DirectorySnapshotInvalid' } as const;

/** The run report of one directory sync. */
export interface DirectorySyncReport {
  source: string;
  users: { created: number; updated: number; deactivated: number; unchanged: number; failed: number };
  /** Presence source, skills, wrap-up codes, queues, memberships and queue codes changed. */
  otherChanges: number;
  failures: DirectorySyncFailure[];
  /** Genesys write calls made by the attempt that finished. */
  writeCalls: number;
  /** Attempts it took (a retry re-reads and re-plans). */
  attempts: number;
  /** The agent directory the sync wrote for the workers, and how many agents it lists. */
  agentDirectory?: { file: string; agents: number };
}

/** Dependencies of the directory activities. */
export interface DirectoryDependencies {
  genesys?: GenesysConnection;
  /** The worker's Temporal client, for telling waiting workflows that a sync finished. */
  temporal?: Client;
  /** Where the sync leaves each source's agent directory for the workers' agent look-ups. */
  agentDirectory?: AgentDirectory;
}

/** Builds the directory activities. */
export function createDirectoryActivities({ genesys, temporal, agentDirectory }: DirectoryDependencies) {
  /** Leaves the sync's agent directory for the workers; none (and no stale one) without a presence source. */
  const writeAgentDirectory = async (
    source: string,
    directory: ReturnType<typeof agentDirectoryOf>,
  ): Promise<{ file: string; agents: number } | undefined> => {
    if (!agentDirectory) return undefined;
    if (!directory) {
      await agentDirectory.remove(source);
      return undefined;
    }
    return { file: await agentDirectory.write(directory), agents: Object.keys(directory.agents).length };
  };

  return {
    /** Tells the source's workflows waiting for a mapping that the directory changed; returns how many. */
    async notifyMappingWaiters(source: string): Promise<number> {
      return temporal ? notifyMappingWaiters(temporal, source) : 0;
    },

    /**
     * Makes Genesys follow the snapshot at `location`, which must be `source`'s when a source is named;
     * returns what it changed.
     */
    async syncDirectory(location: SnapshotLocation, source?: string): Promise<DirectorySyncReport> {
      if (!genesys) throw new Error('this worker has no Genesys connection configured (GENESYS_* settings)');
      const context = Context.current();
      let details = { phase: 'load', done: 0, total: 0 };
      const heartbeat = (phase: string, done: number, total: number) => {
        // An attempt the server gave up on (timed out, cancelled) stops writing at once: its retry may
        // already be running elsewhere.
        if (context.cancellationSignal.aborted) throw asError(context.cancellationSignal.reason);
        details = { phase, done, total };
        context.heartbeat(details);
      };
      // Also while a call waits for the request budget behind event traffic: silence means a dead worker.
      const ticker = setInterval(() => context.heartbeat(details), heartbeatEveryMs);
      try {
        const snapshot = await loadDirectorySnapshot(location);
        if (source !== undefined && snapshot.source !== source) {
          throw new DirectorySnapshotError([`source: the snapshot is ${snapshot.source}'s, not ${source}'s`]);
        }
        heartbeat('read', 0, snapshot.users.length);
        const directory = await readGenesysDirectory(genesys.client, snapshot, (done, total) =>
          heartbeat('read', done, total),
        );
        const plan = planDirectorySync(snapshot, directory);
        context.log.info('directory sync planned', { source: snapshot.source, ...plan.summary });
        const applied = await applyDirectoryPlan(genesys.client, snapshot, directory, plan, (done, total) =>
          heartbeat('apply', done, total),
        );
        const listed = await writeAgentDirectory(
          snapshot.source,
          agentDirectoryOf(snapshot, directory, applied, genesys.client.apiBaseUrl, new Date()),
        );
        if (listed) context.log.info('agent directory written', { source: snapshot.source, ...listed });
        return {
          source: snapshot.source,
          users: {
            created: applied.usersCreated,
            updated: applied.usersUpdated,
            deactivated: applied.usersDeactivated,
            unchanged: plan.summary.usersUnchanged,
            failed: applied.usersFailed,
          },
          otherChanges: applied.otherChanges,
          failures: applied.failures,
          writeCalls: applied.writeCalls,
          attempts: context.info.attempt,
          ...(listed ? { agentDirectory: listed } : {}),
        };
      } catch (error) {
        // A snapshot that breaks the model stays broken on retry: fail the run and say why.
        if (error instanceof DirectorySnapshotError) {
          throw ApplicationFailure.nonRetryable(
            error.message,
            directoryFailureTypes.invalidSnapshot,
            error.problems,
          );
        }
        throw asActivityFailure(error);
      } finally {
        clearInterval(ticker);
      }
    },
  };
}

export type { SnapshotLocation } from '../../domain/directory/location';
