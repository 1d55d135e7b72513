/**
 * selfCheckWorkflow: one round trip through the bridge's task queue. Operators and the demo run it to
 * prove that Temporal is reachable, that a worker with the bridge's code is polling, and that the
 * worker reaches Genesys as its OAuth client.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { BridgeActivities, GenesysReport, WorkerReport } from '../activities';

const { reportWorker } = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  // A missing worker shows as a schedule-to-start wait, which the caller bounds by its own timeout.
  retry: { maximumAttempts: 3 },
});

const { checkGenesys } = proxyActivities<BridgeActivities>({
  // Directory calls wait behind event traffic in the request budget, and a 429 pauses them.
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

/** The self-check's answer. */
export interface SelfCheckResult {
  worker: WorkerReport;
  /** Absent in runs started before the Genesys check existed. */
  genesys?: GenesysReport;
  checkedAt: string;
}

/** Runs one activity on a bridge worker and returns what the worker says about itself and Genesys. */
export async function selfCheckWorkflow(): Promise<SelfCheckResult> {
  const worker = await reportWorker();
  // Runs recorded before this step replay without it.
  const genesys = patched('genesys-check') ? await checkGenesys() : undefined;
  return { worker, genesys, checkedAt: new Date().toISOString() };
}
