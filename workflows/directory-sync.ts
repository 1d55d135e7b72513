/**
 * directorySyncWorkflow: makes Genesys follow one source's directory snapshot — users (created, updated,
 * deactivated, never deleted), their external ids, primary presence source and skills, queues with
 * members and wrap-up codes, skills and codes. A Temporal Schedule runs it at an interval; the CLI
 * triggers it on demand. The work is one heartbeating activity whose retries re-read and re-plan, so a
 * crash mid-sync finishes without repeating anything.
 */
import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { BridgeActivities, DirectorySyncReport, SnapshotLocation } from '../activities';
import { byoiKind, byoiSource, byoiStatus } from './search-attributes';

const { notifyMappingWaiters } = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 5 },
});

const { syncDirectory } = proxyActivities<BridgeActivities>({
  // A 4,000-user directory at the default budget takes tens of minutes of reads behind event traffic.
  startToCloseTimeout: '3 hours',
  // The activity heartbeats every 5 s even while waiting for the budget, so 20 s of silence is a dead worker.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['DirectorySnapshotInvalid', 'GenesysRejected'],
  },
});

/** What to sync. */
export interface DirectorySyncInput {
  /** The source's name, for finding its runs (`ByoiSource`); the snapshot names it too. */
  source: string;
  snapshot: SnapshotLocation;
}

/** Syncs the directory once and returns the run report. */
export async function directorySyncWorkflow(
  input: DirectorySyncInput,
): Promise<DirectorySyncReport & { notified: number }> {
  upsertSearchAttributes([
    { key: byoiKind, value: 'directory' },
    { key: byoiSource, value: input.source },
    { key: byoiStatus, value: 'Syncing' },
  ]);
  setCurrentDetails(`Syncing the directory of **${input.source}** from ${describe(input.snapshot)}.`);
  let report: DirectorySyncReport;
  try {
    report = await syncDirectory(input.snapshot, input.source);
  } catch (error) {
    upsertSearchAttributes([{ key: byoiStatus, value: 'Failed' }]);
    setCurrentDetails(`Failed to sync the directory of **${input.source}**; see the failure below.`);
    throw error;
  }
  // Agents whose events waited for a mapping may resolve now.
  const notified = await notifyMappingWaiters(input.source);
  const status = report.failures.length > 0 ? 'CompletedWithFailures' : 'Completed';
  upsertSearchAttributes([{ key: byoiStatus, value: status }]);
  const { users } = report;
  setCurrentDetails(
    `${status}: ${users.created} created, ${users.updated} updated, ${users.deactivated} deactivated, ` +
      `${users.unchanged} unchanged, ${users.failed} failed; ${report.otherChanges} other changes; ` +
      `${notified} workflows waiting for a mapping told.`,
  );
  return { ...report, notified };
}

function describe(location: SnapshotLocation): string {
  return location.kind === 'file' ? `file ${location.path}` : location.url;
}
