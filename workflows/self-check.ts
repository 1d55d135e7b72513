/**
 * selfCheckWorkflow: one round trip through the bridge's task queue. Operators and the demo run it to
 * prove that Temporal is reachable and that a worker with the bridge's code is polling.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BridgeActivities, WorkerReport } from '../activities';

const { reportWorker } = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  // A missing worker shows as a schedule-to-start wait, which the caller bounds by its own timeout.
  retry: { maximumAttempts: 3 },
});

/** The self-check's answer. */
export interface SelfCheckResult {
  worker: WorkerReport;
  checkedAt: string;
}

/** Runs one activity on a bridge worker and returns what the worker says about itself. */
export async function selfCheckWorkflow(): Promise<SelfCheckResult> {
  const worker = await reportWorker();
  return { worker, checkedAt: new Date().toISOString() };
}
