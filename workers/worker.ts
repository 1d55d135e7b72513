/** Builds the bridge worker: the one place that wires workflows, activities and the task queue. */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import type { BridgeConfig } from './config';

/** What a bridge worker is made of; tests pass a prebuilt workflow bundle to save the bundling time. */
export interface BridgeWorkerOptions {
  connection: NativeConnection;
  config: Pick<BridgeConfig, 'taskQueue' | 'temporal'> & Partial<Pick<BridgeConfig, 'maxCachedWorkflows'>>;
  dependencies: ActivityDependencies;
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates (but does not run) a worker that serves every bridge workflow and activity. */
export async function createBridgeWorker(options: BridgeWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.config.temporal.namespace,
    taskQueue: options.config.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(options.dependencies),
    ...(options.config.maxCachedWorkflows === undefined
      ? {}
      : { maxCachedWorkflows: options.config.maxCachedWorkflows }),
  });
}
