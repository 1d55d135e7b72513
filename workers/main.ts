/**
 * The worker process: parse config, connect, serve the bridge's task queue, and on SIGINT/SIGTERM stop
 * polling, let running activities finish, then exit.
 */
import { Client, Connection } from '@temporalio/client';
import { AgentDirectory, agentDirectoryFolder } from '../activities/directory/agent-directory';
import { DirectoryMapping, mappingTablesFrom } from '../activities/directory/mapping';
import { RecordingSources } from '../activities/conversations/recording-source';
import { connectGenesys } from '../activities/genesys';
import { version } from '../package.json';
import { loadConfig } from '../config';
import { bridgeDataConverter, codecSummary } from '../config/data-converter';
import { createLogger, createServiceMetrics } from '../config/logger';
import { connectWhenReachable } from './connect';
import { createBridgeWorker } from './worker';
import { countWorkflowStatusesEvery } from './workflow-status';

async function main(): Promise<void> {
  const loaded = loadConfig();
  const logger = createLogger(loaded.logLevel, 'byoi-worker', loaded.metricsAddress);
  // A workflow task that fails on a payload this worker cannot open carries its message sealed: the log
  // says which key is missing.
  const config = {
    ...loaded,
    dataConverter: bridgeDataConverter(loaded.codecKeys, (refusal) =>
      logger.error({ keyId: refusal.keyId }, refusal.message),
    ),
  };
  const connection = await connectWhenReachable(config.temporal.connectionOptions, {
    onRetry: (error, attempt, retryInMs) =>
      logger.warn(
        { address: config.temporal.connectionOptions.address, attempt, retryInMs, error: error.message },
        'Temporal not reachable yet: waiting for it',
      ),
  });
  const metrics = createServiceMetrics(config.metricsAddress);
  const genesys = config.genesys ? connectGenesys(config.genesys, metrics) : undefined;
  const mapping = genesys ? new DirectoryMapping(genesys.client) : undefined;
  const mappingTables = config.directory.snapshot ? mappingTablesFrom(config.directory.snapshot) : undefined;
  // The directory sync leaves each source's agents beside the pushed snapshots (shared storage on a
  // cluster); every worker answers agent look-ups from it.
  const agentDirectory = genesys
    ? new AgentDirectory(agentDirectoryFolder(config.dataDir), {
        genesys: genesys.client.apiBaseUrl,
        onProblem: (problem, file) => logger.warn({ file, problem }, 'agent directory not used'),
      })
    : undefined;
  // Activities that signal other workflows (a finished directory sync) use an ordinary client.
  const clientConnection = await Connection.connect(config.temporal.connectionOptions);
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter: config.dataConverter,
  });
  // Each source's recording origins and credentials stay here, in the worker: the workflow names the source.
  const recordingSources = new RecordingSources(config.recordings);
  const countingStatuses =
    config.metricsAddress && config.workflowStatusIntervalMs
      ? countWorkflowStatusesEvery(
          config.workflowStatusIntervalMs,
          { temporal, taskQueue: config.taskQueue, metrics },
          (error) =>
            logger.warn(
              { error: error.message },
              'counting workflows by status failed; the gauges keep their last values',
            ),
        )
      : undefined;
  try {
    const worker = await createBridgeWorker({
      connection,
      config,
      dependencies: {
        bridgeVersion: version,
        genesys,
        temporal,
        mapping,
        mappingTables,
        agentDirectory,
        recordingSpoolDir: config.recordingSpoolDir,
        recordingSources,
        metrics,
      },
    });
    logger.info(
      {
        taskQueue: config.taskQueue,
        namespace: config.temporal.namespace,
        address: config.temporal.connectionOptions.address,
        genesys: genesys?.client.apiBaseUrl ?? 'not configured',
        // What this worker draws a minute: its share of the OAuth client's budget, less the headroom.
        genesysRequestsPerMinute: genesys?.client.budget.requestsPerWindow,
        genesysBudgetSharedBy: config.genesys?.budgetSharedBy,
        metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
        payloadCodec: codecSummary(config.codecKeys),
        workflowStatusCounts: countingStatuses ? `every ${config.workflowStatusIntervalMs} ms` : 'off',
        // Which sources have recording origins and credentials; never the credentials themselves.
        recordingOrigins: config.recordings.origins,
        recordingCredentials: Object.keys(config.recordings.credentials),
      },
      'worker started',
    );
    // Worker.run resolves after the SDK's default shutdown signals (SIGINT, SIGTERM, …) drain the worker.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await countingStatuses?.();
    genesys?.client.close();
    recordingSources.close();
    await clientConnection.close();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
