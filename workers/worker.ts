/** Builds the bridge worker: the one place that wires workflows, activities and the task queue. */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import type { BridgeConfig } from '../config';

/** What a bridge worker is made of; tests pass a prebuilt workflow bundle to save the bundling time. */
export interface BridgeWorkerOptions {
  connection: NativeConnection;
  config: Pick<
    BridgeConfig,
    | 'taskQueue'
    | 'temporal'
    | 'dataConverter'
    | 'maxCachedWorkflows'
    | 'maxConcurrentWorkflowTasks'
    | 'workflowThreads'
  >;
  dependencies: ActivityDependencies;
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates (but does not run) a worker that serves every bridge workflow and activity. */
export async function createBridgeWorker(options: BridgeWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.config.temporal.namespace,
    taskQueue: options.config.taskQueue,
    // Sealed payloads in and out (a prebuilt bundle must carry the same failure converter).
    dataConverter: options.config.dataConverter,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(options.dependencies),
    maxCachedWorkflows: options.config.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: options.config.maxConcurrentWorkflowTasks,
    maxConcurrentLocalActivityExecutions: options.config.maxConcurrentWorkflowTasks,
    // Every workflow shares one V8 context (the SDK's default since 1.24, kept on purpose): thousands of
    // cached agent workflows fit in a few hundred MiB.
    reuseV8Context: true,
    workflowThreadPoolSize: options.config.workflowThreads,
    // A recording upload's progress is only as durable as its last heartbeat sent. Throttled to 0.8 of its
    // 30 s heartbeat timeout, the heartbeat saying the PUT was done went out up to 24 s late: a worker
    // killed meanwhile left a retry that downloaded and uploaded the recording again (the chaos run).
    maxHeartbeatThrottleInterval: '1 second',
  });
}
