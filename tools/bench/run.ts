/**
 * One run of the bench: the simulator, the run's Temporal and the bridge started, the directory synced,
 * the shift opened (realistic mix), the load played and settled, the workers read, with `--oracle` what
 * the ingresses acknowledged judged against what Genesys holds, the baseline played; answers the report.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatConsistency, simulatorConsistency } from '../../simulator/consistency-client';
import { silentWav } from '../load/contact-centre';
import { UsageSampler } from '../stack/process-usage';
import { requestsBetween, simulatorCounters, simulatorLatency, startSimulatorProcess } from '../stack/stack';
import { runBaseline, type BaselineRun } from './baseline';
import { namedProcesses, startBridge, stopBridge, type BridgeProcesses } from './bridge';
import { syncBenchDirectory } from './directory';
import { log } from './log';
import { benchSource, type BenchFlags } from './options';
import { loadShape, play } from './play';
import { buildReport, type BenchReport } from './report';
import { settleBridge } from './settle';
import { openShift } from './shift-opening';
import { judgeBench, startOracle } from './oracle';
import { startBenchTemporal } from './temporal';
import { workerMetrics, workerProfiles } from './worker-metrics';

/** The running stack, as an observer of a run sees it. */
export interface ObservedStack {
  bridge: BridgeProcesses;
  simulator: { pid: number; url: string };
}

/**
 * Something that watches a run (the soak's memory sampler): started as the measured load begins, stopped
 * once the bridge has settled, while every process still runs; what it answers comes back with the report.
 */
export type BenchObserver<R> = (stack: ObservedStack) => () => Promise<R>;

/** One run of the bench: the embedded stack, the load, the settle, the baseline; answers the report. */
export async function benchOnce(flags: BenchFlags): Promise<BenchReport>;
/** One run, watched by `observer`: the report and what the observer saw. */
export async function benchOnce<R>(
  flags: BenchFlags,
  observer: BenchObserver<R>,
): Promise<{ report: BenchReport; observed: R }>;
export async function benchOnce<R>(
  flags: BenchFlags,
  observer?: BenchObserver<R>,
): Promise<BenchReport | { report: BenchReport; observed: R }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-bench-'));
  const stopping: (() => Promise<void>)[] = [];
  const runId = Date.now().toString(36);
  try {
    const simulator = await startSimulatorProcess([
      '--agents',
      String(flags.agents),
      '--source-name',
      benchSource,
      '--requests-per-minute',
      String(flags.requestsPerMinute),
      // Every token of the bridge's OAuth client counted together: the workers share one budget.
      '--rate-limit-by',
      'client',
      '--upload-dir',
      path.join(dataDir, 'uploads'),
    ]);
    stopping.push(simulator.stop);
    log(`Genesys simulator at ${simulator.url} (pid ${simulator.process.pid}), ${flags.agents} agents`);
    const temporal = await startBenchTemporal(flags.cluster, dataDir, runId);
    const stopTemporal = once(() => temporal.stop());
    stopping.push(stopTemporal);
    const bridge = await startBridge(flags, dataDir, simulator.url, temporal);
    const stopTheBridge = once(() => stopBridge(bridge));
    stopping.push(stopTheBridge);
    // With the oracle the driver sends through a log of what each ingress acknowledges.
    const oracle = flags.oracle ? await startOracle(bridge.ingressUrls) : undefined;
    if (oracle) stopping.push(() => oracle.close());
    const drivenUrls = oracle?.urls ?? bridge.ingressUrls;

    const recording = path.join(dataDir, 'call.wav');
    const wav = silentWav(10);
    writeFileSync(recording, wav);
    const recordingUrl = pathToFileURL(recording).href;
    const directorySync = await syncBenchDirectory({
      simulatorUrl: simulator.url,
      ingressUrl: bridge.ingressUrls[0]!,
      token: bridge.token,
      temporal,
      dataConverter: bridge.dataConverter,
      source: benchSource,
      agents: flags.agents,
    });

    const shape = loadShape(flags, `bench-${runId}`, recordingUrl, wav.length);
    const opening =
      flags.mix === 'realistic'
        ? await openShift(flags, shape, bridge, simulator.url, drivenUrls)
        : undefined;

    log(
      `bridge phase: ${flags.seconds} s of ${flags.agents} agents, ${flags.mix} mix, ${flags.presencePerMinute} presence changes/min (+ routing), ` +
        `${flags.interactionsPerSecond} interactions/s (${Math.round(flags.voiceShare * 100)} % calls), budget ${flags.requestsPerMinute} requests/min`,
    );
    const before = await simulatorCounters(simulator.url);
    const sampler = new UsageSampler(
      {
        ...Object.fromEntries(namedProcesses(bridge).map(({ name, pid }) => [name, pid])),
        simulator: simulator.process.pid!,
        // The driver (this process) is the parent of all the others: read alone.
        driver: process.pid,
      },
      ['driver'],
    );
    const stopObserving = observer?.({
      bridge,
      simulator: { pid: simulator.process.pid!, url: simulator.url },
    });
    const bridgeRun = await play('bridge', flags, flags.seconds, drivenUrls, bridge.token, shape, sampler);
    const playedAt = Date.now();
    const outcome = await settleBridge(
      flags,
      temporal,
      simulator.url,
      bridgeRun.offered,
      bridgeRun.startedAt,
      opening?.historyEvents,
    );
    const bridgeUsage = sampler.stop();
    const observed = await stopObserving?.();
    const metrics = await summedWorkerMetrics(bridge.metricsUrls);
    const after = await simulatorCounters(simulator.url);
    const bridgeLatency = await simulatorLatency(simulator.url, bridgeRun.startedAt);
    // What Genesys was shown that no contact centre does, in the measured window (the realistic mix's).
    const consistency =
      flags.mix === 'realistic' ? await simulatorConsistency(simulator.url, bridgeRun.startedAt) : undefined;
    for (const line of consistency ? formatConsistency(consistency) : []) log(line);
    // Judged while the workers run: the ledgers are read with the workflows' status queries.
    const judged =
      oracle &&
      (await judgeBench(oracle, {
        temporal,
        dataConverter: bridge.dataConverter,
        simulatorUrl: simulator.url,
        uploadDir: path.join(dataDir, 'uploads'),
        recordingMd5: createHash('md5').update(wav).digest('base64'),
        orderViolations: after.orderViolations,
      }));
    // The bridge's processes (and a dev server) stop before the baseline, so they take no CPU from it.
    await stopTheBridge();
    if (!flags.cluster) await stopTemporal();
    const profile = flags.profile ? workerProfiles(path.join(dataDir, 'profile')) : undefined;

    let baseline: BaselineRun | undefined;
    if (flags.baselineSeconds > 0) {
      baseline = await runBaseline(flags, simulator.url, recordingUrl, wav.length);
    }
    const report = buildReport(flags, {
      offered: bridgeRun.offered,
      drive: bridgeRun.stats,
      playedMs: playedAt - bridgeRun.startedAt,
      settleMs: outcome.settleMs - playedAt,
      outcome,
      usage: bridgeUsage,
      metrics,
      profile,
      requests: requestsBetween(before, after),
      latency: bridgeLatency,
      simulator: { before, after },
      baseline,
      directorySync,
      opening,
      consistency,
      temporal: temporal.description,
      oracle: judged,
    });
    return observer ? { report, observed: observed as R } : report;
  } finally {
    for (const stop of stopping.reverse()) await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `stop`, run the first time only: the bridge and a dev server stop before the baseline and again in cleanup. */
function once(stop: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => (stopped ??= stop());
}

/** Every worker's metrics, summed (a worker that does not answer is named in `unavailable`). */
async function summedWorkerMetrics(urls: readonly string[]): Promise<Record<string, number | string>> {
  const sums: Record<string, number | string> = {};
  for (const url of urls) {
    try {
      for (const [name, value] of Object.entries(await workerMetrics(url))) {
        sums[name] = (Number(sums[name]) || 0) + value;
      }
    } catch (error) {
      sums.unavailable = `${url}: ${String(error)}`;
    }
  }
  return sums;
}
