/** The self-check activity: proves a bridge worker polls the task queue and says which one it is. */
import os from 'node:os';
import { activityInfo } from '@temporalio/activity';

/** What a worker reports about itself. */
export interface WorkerReport {
  taskQueue: string;
  hostname: string;
  pid: number;
  nodeVersion: string;
  bridgeVersion: string;
  uptimeSeconds: number;
}

/** Dependencies of the self-check activity. */
export interface SelfCheckDependencies {
  bridgeVersion: string;
}

/** Builds the self-check activity. */
export function createSelfCheckActivities({ bridgeVersion }: SelfCheckDependencies) {
  return {
    /** Reports the identity of the worker that ran it. */
    // eslint-disable-next-line @typescript-eslint/require-await -- activities are async by contract
    async reportWorker(): Promise<WorkerReport> {
      return {
        taskQueue: activityInfo().taskQueue,
        hostname: os.hostname(),
        pid: process.pid,
        nodeVersion: process.version,
        bridgeVersion,
        uptimeSeconds: Math.round(process.uptime()),
      };
    },
  };
}
