/**
 * The realistic mix's shift opening: every agent logs in On Queue and Idle before the measured window,
 * so the load's figures hold none of it; what it cost is reported apart.
 */
import { driveLoad } from '../load/driver';
import { shiftOpening, type LoadShape } from '../load/generator';
import { poll, simulatorCounters } from '../stack/stack';
import type { BridgeProcesses } from './bridge';
import { log } from './log';
import type { BenchFlags } from './options';
import { workflowRuns } from './settle';
import { withTemporalClient } from './temporal';

/** The shift opening's events, how long Genesys took to accept them, and the history they wrote. */
export interface ShiftOpening {
  events: number;
  acceptedAfterSeconds: number;
  accepted: boolean;
  historyEvents: number;
}

/**
 * The realistic mix's shift opening — every agent logs in On Queue and Idle — sent before the measured
 * window and waited for until Genesys has accepted all of it, so none of it counts in the load's figures.
 */
export async function openShift(
  flags: BenchFlags,
  shape: LoadShape,
  bridge: BridgeProcesses,
  simulatorUrl: string,
  /** Where to send it: the bridge's ingresses, or what stands in front of them. */
  ingressUrls: readonly string[],
): Promise<ShiftOpening> {
  const before = await simulatorCounters(simulatorUrl);
  const startedAt = Date.now();
  const events = shiftOpening(shape, startedAt);
  await driveLoad({ ingressUrl: ingressUrls, token: bridge.token, events, maxBatch: 500 });
  const accepted = await poll(
    async () => (await simulatorCounters(simulatorUrl)).eventsAccepted - before.eventsAccepted,
    (count) => count >= events.length,
    flags.settleSeconds * 1_000,
    1_000,
  );
  const acceptedAfterSeconds = Number(((Date.now() - startedAt) / 1_000).toFixed(1));
  log(
    `shift opening: ${events.length} log-in events (On Queue, Idle) of ${shape.agents.length} agents, ` +
      `${accepted} accepted by Genesys after ${acceptedAfterSeconds} s — not counted in the load's figures`,
  );
  // The history the opening wrote (every agent workflow's start and log-in) is not the load's.
  const runs = await withTemporalClient(bridge.temporal, workflowRuns);
  return {
    events: events.length,
    acceptedAfterSeconds,
    accepted: accepted >= events.length,
    historyEvents: runs.reduce((sum, run) => sum + run.historyLength, 0),
  };
}
