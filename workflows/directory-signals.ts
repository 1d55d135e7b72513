/**
 * What a finished directory sync tells the workflows of its source: agent workflows waiting for a
 * mapping (status WaitingForMapping) retry their lookups when it arrives.
 */
import { defineSignal } from '@temporalio/workflow';

/** A directory sync of `source` finished; mappings may now resolve. */
export const directorySyncedSignal =
  defineSignal<[{ source: string; completedAt: string }]>('directorySynced');

/** The visibility query that finds a source's workflows waiting for a mapping. */
export function waitingForMappingQuery(source: string): string {
  const quoted = source.replace(/['\\]/g, (character) => `\\${character}`);
  return `ByoiSource = '${quoted}' AND ByoiStatus = 'WaitingForMapping' AND ExecutionStatus = 'Running'`;
}
