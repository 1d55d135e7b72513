/**
 * The baseline: the same traffic through the plain forwarder (`scripts/plain-forwarder.ts`, no
 * Temporal), so the bridge's CPU per event has something to be set against.
 */
import axios from 'axios';
import type { SimulatorCounters } from '../../simulator/state';
import { UsageSampler, type ProcessUsage } from '../stack/process-usage';
import {
  freePort,
  poll,
  requestsBetween,
  simulatorCounters,
  simulatorLatency,
  startProgram,
  stopProcess,
  untilReady,
  type SimulatorLatency,
} from '../stack/stack';
import { log } from './log';
import { benchSource, type BenchFlags } from './options';
import type { ForwarderStats } from './plain-forwarder';
import { loadShape, play, type Offered } from './play';

/** What the plain forwarder's `/stats` answers: its own figures and the streams still being forwarded. */
export type ForwarderStatsAnswer = ForwarderStats & { streamsInFlight: number };

/** The baseline phase's figures, raw: the report turns them into its `baseline`. */
export interface BaselineRun {
  offered: Offered;
  forwarder: ForwarderStatsAnswer;
  usage: ProcessUsage;
  latency: SimulatorLatency;
  requests: Record<string, number>;
  after: SimulatorCounters;
  before: SimulatorCounters;
}

/**
 * Plays the same traffic through the plain forwarder; answers its figures. The realistic mix needs no
 * shift opening here: the bridge phase's load ends with every agent back On Queue and Idle.
 */
export async function runBaseline(
  flags: BenchFlags,
  simulatorUrl: string,
  recordingUrl: string,
  recordingBytes: number,
): Promise<BaselineRun> {
  const port = await freePort();
  const forwarder = startProgram(
    'scripts/plain-forwarder.ts',
    [
      '--simulator',
      simulatorUrl,
      '--port',
      String(port),
      '--source',
      benchSource,
      '--requests-per-minute',
      String(flags.requestsPerMinute),
    ],
    {},
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    await untilReady(`${url}/stats`, forwarder);
    log(
      `baseline phase: ${flags.baselineSeconds} s of the same traffic through a plain forwarder (pid ${forwarder.pid})`,
    );
    const before = await simulatorCounters(simulatorUrl);
    const sampler = new UsageSampler({ forwarder: forwarder.pid! });
    const run = await play(
      'baseline',
      flags,
      flags.baselineSeconds,
      url,
      'unused',
      loadShape(flags, `baseline-${Date.now().toString(36)}`, recordingUrl, recordingBytes),
      sampler,
    );
    const stats = await poll(
      async () => (await axios.get<ForwarderStatsAnswer>(`${url}/stats`)).data,
      (forwarded) => forwarded.streamsInFlight === 0,
      flags.settleSeconds * 1_000,
      2_000,
    );
    const usage = sampler.stop().forwarder!;
    const after = await simulatorCounters(simulatorUrl);
    const latency = await simulatorLatency(simulatorUrl, run.startedAt);
    return {
      offered: run.offered,
      forwarder: stats,
      usage,
      latency,
      requests: requestsBetween(before, after),
      after,
      before,
    };
  } finally {
    await stopProcess(forwarder);
  }
}
