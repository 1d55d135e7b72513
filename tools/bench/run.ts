/**
 * One run of the bench: the simulator and the bridge started, the directory synced, the shift opened
 * (realistic mix), the load played and settled, the worker read, the baseline played; answers the report.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatConsistency, simulatorConsistency } from '../../simulator/consistency-client';
import { silentWav } from '../load/contact-centre';
import { UsageSampler } from '../stack/process-usage';
import {
  requestsBetween,
  simulatorCounters,
  simulatorLatency,
  startSimulatorProcess,
  stopProcess,
} from '../stack/stack';
import { runBaseline, type BaselineRun } from './baseline';
import { startBridge, type BridgeProcesses } from './bridge';
import { syncBenchDirectory } from './directory';
import { log } from './log';
import { benchSource, type BenchFlags } from './options';
import { loadShape, play } from './play';
import { buildReport, type BenchReport } from './report';
import { settleBridge } from './settle';
import { openShift } from './shift-opening';
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
  try {
    const simulator = await startSimulatorProcess([
      '--agents',
      String(flags.agents),
      '--source-name',
      benchSource,
      '--requests-per-minute',
      String(flags.requestsPerMinute),
      '--upload-dir',
      path.join(dataDir, 'uploads'),
    ]);
    stopping.push(simulator.stop);
    log(`Genesys simulator at ${simulator.url} (pid ${simulator.process.pid}), ${flags.agents} agents`);
    const bridge = await startBridge(flags, dataDir, simulator.url);
    stopping.push(
      () => bridge.server.stop(),
      () => stopProcess(bridge.worker),
      () => stopProcess(bridge.ingress),
    );

    const recording = path.join(dataDir, 'call.wav');
    const wav = silentWav(10);
    writeFileSync(recording, wav);
    const recordingUrl = pathToFileURL(recording).href;
    const directorySync = await syncBenchDirectory({
      simulatorUrl: simulator.url,
      ingressUrl: bridge.ingressUrl,
      token: bridge.token,
      temporalAddress: bridge.server.address,
      dataConverter: bridge.dataConverter,
      source: benchSource,
      agents: flags.agents,
    });

    const shape = loadShape(flags, `bench-${Date.now().toString(36)}`, recordingUrl, wav.length);
    const opening =
      flags.mix === 'realistic' ? await openShift(flags, shape, bridge, simulator.url) : undefined;

    log(
      `bridge phase: ${flags.seconds} s of ${flags.agents} agents, ${flags.mix} mix, ${flags.presencePerMinute} presence changes/min (+ routing), ` +
        `${flags.interactionsPerSecond} interactions/s (${Math.round(flags.voiceShare * 100)} % calls), budget ${flags.requestsPerMinute} requests/min`,
    );
    const before = await simulatorCounters(simulator.url);
    const sampler = new UsageSampler(
      {
        worker: bridge.worker.pid!,
        ingress: bridge.ingress.pid!,
        temporal: bridge.server.pid,
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
    const bridgeRun = await play(
      'bridge',
      flags,
      flags.seconds,
      bridge.ingressUrl,
      bridge.token,
      shape,
      sampler,
    );
    const playedAt = Date.now();
    const outcome = await settleBridge(
      flags,
      bridge.server.address,
      simulator.url,
      bridgeRun.offered,
      bridgeRun.startedAt,
      opening?.historyEvents,
    );
    const bridgeUsage = sampler.stop();
    const observed = await stopObserving?.();
    const metrics = await workerMetrics(bridge.metricsUrl).catch((error: unknown) => ({
      unavailable: String(error),
    }));
    const after = await simulatorCounters(simulator.url);
    const bridgeLatency = await simulatorLatency(simulator.url, bridgeRun.startedAt);
    // What Genesys was shown that no contact centre does, in the measured window (the realistic mix's).
    const consistency =
      flags.mix === 'realistic' ? await simulatorConsistency(simulator.url, bridgeRun.startedAt) : undefined;
    for (const line of consistency ? formatConsistency(consistency) : []) log(line);
    // The bridge's processes stop before the baseline, so they take no CPU from it.
    for (const stop of stopping.splice(1).reverse()) await stop();
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
    });
    return observer ? { report, observed: observed as R } : report;
  } finally {
    for (const stop of stopping.reverse()) await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
