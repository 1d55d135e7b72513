/**
 * The benchmark's directory sync: before the load, the source pushes the directory of the contact centre
 * the simulator seeded (`simulator/seed.ts`: its agents, their queues, the organisation's wrap-up codes) to
 * the ingress, as an adapter would, and the bench waits for that sync to finish. The sync leaves the agent
 * directory the worker resolves agents from, so the load's figures hold no per-agent look-ups; the sync's
 * own duration and requests are reported apart from them.
 */
import type { DataConverter } from '@temporalio/common';
import axios from 'axios';
import type { DirectorySyncReport } from '../../activities';
import type { DirectorySnapshotInput } from '../../domain/directory/snapshot';
import { defaultSeed } from '../../simulator/seed';
import type { directorySyncWorkflow } from '../../workflows';
import { simulatorCounters } from '../stack/stack';
import { withTemporalClient, type TemporalTarget } from './temporal';

/** What the bench needs to reach the stack it started. */
export interface BenchDirectoryOptions {
  simulatorUrl: string;
  ingressUrl: string;
  token: string;
  temporal: TemporalTarget;
  /** How to read the sync's report (sealed when the bridge seals its payloads). */
  dataConverter?: DataConverter;
  source: string;
  /** Agents the simulator was started with (`--agents`). */
  agents: number;
}

/** How long the pre-load sync took and what it asked of Genesys. */
export interface BenchDirectorySync {
  durationMs: number;
  /** Genesys API requests while the sync ran (reads and writes), and those by endpoint. */
  requests: number;
  requestsByEndpoint: Record<string, number>;
  report: DirectorySyncReport;
}

/**
 * The directory snapshot of the simulator's default organisation with `agents` agents of `source`: its
 * external agents as users (same names, emails and queues) and its queues and wrap-up codes under their
 * Genesys names, which is how the worker maps them without a snapshot of its own.
 */
export function seededDirectory(agents: number, source: string): DirectorySnapshotInput {
  const seed = defaultSeed({ agents, sourceName: source });
  const queuesOf = (userId: string) =>
    seed.queues.filter((queue) => queue.memberIds.includes(userId)).map((queue) => queue.name);
  return {
    source,
    users: seed.users.flatMap((user) => {
      const externalId = user.externalIds.find((id) => id.authorityName === source)?.externalKey;
      return externalId === undefined
        ? []
        : [{ externalId, name: user.name, email: user.email, queues: queuesOf(user.id) }];
    }),
    queues: seed.queues.map((queue) => ({ externalId: queue.name, name: queue.name })),
    wrapupCodes: seed.wrapupCodes.map((code) => ({ externalId: code.name, name: code.name })),
    presenceMapping: (['Available', 'Break', 'Meal', 'Training', 'Offline'] as const).map((state) => ({
      externalState: state,
      systemPresence: state,
    })),
  };
}

/** Pushes the seeded directory through the ingress, waits for its sync, and reports what it cost. */
export async function syncBenchDirectory(options: BenchDirectoryOptions): Promise<BenchDirectorySync> {
  const snapshot = seededDirectory(options.agents, options.source);
  const before = await simulatorCounters(options.simulatorUrl);
  const startedAt = Date.now();
  await axios.put(`${options.ingressUrl}/v1/directory/snapshot`, snapshot, {
    headers: { authorization: `Bearer ${options.token}` },
    maxBodyLength: Infinity,
  });
  // The ingress starts the source's sync as `directory/<source>` (no schedule in the bench).
  const report: DirectorySyncReport = await withTemporalClient(
    options.temporal,
    (client) =>
      client.workflow.getHandle<typeof directorySyncWorkflow>(`directory/${options.source}`).result(),
    options.dataConverter,
  );
  const durationMs = Date.now() - startedAt;
  const after = await simulatorCounters(options.simulatorUrl);
  const requestsByEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(after.requestsByEndpoint)) {
    const added = count - (before.requestsByEndpoint[endpoint] ?? 0);
    if (added > 0 && !endpoint.includes('/oauth/')) requestsByEndpoint[endpoint] = added;
  }
  const requests = Object.values(requestsByEndpoint).reduce((sum, count) => sum + count, 0);
  const result = { durationMs, requests, requestsByEndpoint, report };
  const { users } = report;
  console.log(
    `[bench] directory sync of ${snapshot.users.length} agents before the load: ${(durationMs / 1_000).toFixed(1)} s, ` +
      `${requests} Genesys requests (${report.writeCalls} writes), users ${users.unchanged} unchanged, ` +
      `${users.created} created, ${users.updated} updated, ${users.failed} failed; agent directory ` +
      `${report.agentDirectory ? `of ${report.agentDirectory.agents} agents` : 'not written'} — not counted in the load's figures`,
  );
  return result;
}
