/** Tells a source's workflows that wait for a mapping that a directory sync has finished. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { directorySyncedSignal, waitingForMappingQuery } from '../../workflows/directory-signals';

/** Signals every running workflow of `source` in status WaitingForMapping; returns how many. */
export async function notifyMappingWaiters(temporal: Client, source: string): Promise<number> {
  const completedAt = new Date().toISOString();
  let notified = 0;
  for await (const workflow of temporal.workflow.list({ query: waitingForMappingQuery(source) })) {
    try {
      await temporal.workflow
        .getHandle(workflow.workflowId)
        .signal(directorySyncedSignal, { source, completedAt });
      notified++;
    } catch (error) {
      // It finished between the listing and the signal: nothing left to tell.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return notified;
}
