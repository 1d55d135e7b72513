/**
 * The main job (`npm start`): starts the embedded stack — the Temporal dev server with its Web UI, the
 * Genesys simulator, a bridge worker as its own process and the ingress — proves the whole path with a
 * round trip through the bridge's task queue to Genesys, syncs the directory, and then plays the
 * contact centre in three acts: one call and one email, a shift's traffic, and the things that go wrong;
 * it ends with what is blocked or waiting, and why. With TEMPORAL_ADDRESS set it uses that server
 * instead of starting one; with Genesys settings it reaches that Genesys and plays no generated traffic,
 * unless `--traffic` asks for it (a proxy, a sandbox): then the generated directory is synced there and
 * the first two acts are played; the faults and the consistency check need the simulator. Its parts
 * live in tools/demo/.
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { wholeNumber } from '../client/arguments';
import { loadConfig, type BridgeConfig } from '../config';
import { AgentStates } from '../tools/demo/agent-states';
import { startDemoCodecServer, withDemoKeys } from '../tools/demo/codec';
import { playFaults } from '../tools/demo/faults';
import { demoRecordingFile, playOneCallAndOneEmail } from '../tools/demo/first-act';
import { openRunLog, type RunLog } from '../tools/demo/run-log';
import {
  demoSnapshotFile,
  ensureTemporal,
  proveThePath,
  startDemoIngress,
  startGenesys,
  startWorkerProcess,
  syncDirectory,
} from '../tools/demo/stack';
import { logStepsTo, step } from '../tools/demo/step';
import { playContactCentre, reportConsistency } from '../tools/demo/traffic';
import { stopProcess } from '../tools/stack/stack';

async function main(): Promise<void> {
  const flags = new Command('demo')
    .description('Run byoi-bridge end to end on the embedded stack.')
    .option('--keep-running', 'leave the stack up until Ctrl-C', false)
    .option(
      '--seconds <n>',
      'how long to play the generated contact centre through the ingress (0: not at all)',
      wholeNumber(0),
      120,
    )
    .option('--agents <n>', 'agents in the generated contact centre', wholeNumber(6), 20)
    .option(
      '--traffic',
      'with Genesys settings (a proxy, a sandbox), sync the generated directory there and play its traffic too',
      false,
    )
    .parse()
    .opts<DemoFlags>();
  // The main job shows payloads sealed: with the configured keys, else with a key of its own.
  const { config, workerEnvironment } = withDemoKeys(loadConfig());
  const runLog = openRunLog(config);
  logStepsTo(runLog.logger);
  step(`this run's log (the worker's, the Temporal dev server's and the main job's own): ${runLog.file}`);
  try {
    await run(flags, config, runLog, workerEnvironment);
  } catch (error) {
    runLog.logger.error({ err: error }, 'the main job failed');
    console.error(`[byoi-bridge] failed: ${whatFailed(error)}`);
    console.error(`[byoi-bridge] the end of this run's log, ${runLog.file}:\n${runLog.tail()}`);
    process.exit(1);
  }
}

/** An error with the causes it carries (a workflow's failure is in its cause), in one line. */
function whatFailed(error: unknown): string {
  const said: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    said.push(current.message);
    current = current.cause;
  }
  return said.length > 0 ? said.join(': ') : JSON.stringify(error);
}

interface DemoFlags {
  keepRunning: boolean;
  seconds: number;
  agents: number;
  traffic: boolean;
}

/** Plays the main job; everything it started is stopped when it ends, however it ends. */
async function run(
  flags: DemoFlags,
  config: BridgeConfig,
  runLog: RunLog,
  codecEnvironment: NodeJS.ProcessEnv,
): Promise<void> {
  // Only a configured Genesys changes with --traffic: the simulator always gets the generated traffic.
  const generatedDirectory = flags.traffic && config.genesys !== undefined;
  if (generatedDirectory && config.directory.snapshot) {
    throw new Error(
      '--traffic plays the generated contact centre and syncs its directory as BYOI_SOURCE; ' +
        'unset BYOI_DIRECTORY_SNAPSHOT, or it would replace your directory',
    );
  }
  const stopping: (() => Promise<void>)[] = [];
  try {
    const codecServer = await startDemoCodecServer(config, runLog);
    stopping.push(() => codecServer.close());
    const server = await ensureTemporal(config, runLog, codecServer.url);
    if (server) stopping.push(() => server.stop());
    const uiUrl = server?.uiUrl;
    const genesys = await startGenesys(config, { generatedDirectory });
    stopping.push(genesys.stop);
    const worker = startWorkerProcess(config, { ...genesys.workerEnvironment, ...codecEnvironment }, runLog);
    stopping.push(() => stopProcess(worker));
    const connection = await Connection.connect(config.temporal.connectionOptions);
    stopping.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: config.dataConverter,
    });
    await proveThePath(client, config, uiUrl);

    const synced = await syncDirectory(client, config, flags.agents, { generatedDirectory });
    const { simulatorUrl } = genesys;
    if (synced && (simulatorUrl || generatedDirectory)) {
      const ingress = await startDemoIngress(client, config, runLog);
      stopping.push(() => ingress.close());
      // What each agent's latest event said, so the later acts carry on from there.
      const agentStates = new AgentStates();
      await playOneCallAndOneEmail(client, config, ingress, uiUrl, agentStates);
      const recentEvents =
        flags.seconds > 0
          ? await playContactCentre(client, config, ingress, flags, simulatorUrl, agentStates)
          : [];
      if (simulatorUrl) {
        const recording = demoRecordingFile(config);
        await playFaults({
          client,
          source: config.directory.source,
          taskQueue: config.taskQueue,
          namespace: config.temporal.namespace,
          ingress,
          simulatorUrl,
          uiUrl,
          agents: flags.agents,
          snapshotFile: demoSnapshotFile(config),
          recentEvents,
          agentStates,
          recordingUrl: pathToFileURL(recording).href,
          recordingBytes: statSync(recording).size,
          step,
        });
        await reportConsistency(simulatorUrl, 'at the end');
      } else {
        // The faults are injected through the simulator, and only it can be asked what Genesys saw.
        step(
          'the faults and the consistency check need the embedded simulator: not played against this Genesys',
        );
      }
    }
    step(`workflows and their state persist in ${config.devServer.dbFile}`);

    if (flags.keepRunning) {
      step('the stack stays up; press Ctrl-C to stop it');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    step('stopping');
    for (const stop of stopping.reverse()) await stop();
    step(`this run's log: ${runLog.file}`);
  }
}

main().catch((error: unknown) => {
  console.error(`[byoi-bridge] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
