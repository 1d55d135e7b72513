/**
 * The bench's load: the seed-scale shape of one phase and its playing through an ingress (the bridge's
 * or the plain forwarder's), counting what was offered of each kind as the driver sends it.
 */
import { loadParties } from '../load/contact-centre';
import { driveLoad, type DriveStats } from '../load/driver';
import { contactCentreLoad, seedScale, type LoadShape } from '../load/generator';
import { emptyTally, tallied, type OfferedTally } from '../load/tally';
import type { UsageSampler } from '../stack/process-usage';
import { seededDirectory } from './directory';
import { log } from './log';
import { benchSource, type BenchFlags } from './options';

/** What was offered of each kind (counted as the driver sends it). */
export type Offered = Omit<OfferedTally, 'presenceInWindow'>;

/** What one phase's play answers: the driver's figures, what it offered, and when it began. */
export interface PlayedPhase {
  stats: DriveStats;
  offered: Offered;
  startedAt: number;
}

/** The seed-scale load of one phase. */
export function loadShape(
  flags: BenchFlags,
  runId: string,
  recordingUrl: string,
  recordingBytes: number,
): LoadShape {
  // The simulator's default organisation: the worker has no directory snapshot, so external ids and
  // presence states are Genesys names (the seed's On Queue is OnQueue, its lunch Meal).
  const directory = seededDirectory(flags.agents, benchSource);
  return {
    ...seedScale,
    mix: flags.mix,
    source: benchSource,
    ...loadParties(directory),
    onQueueState: 'OnQueue',
    breaks: seedScale.breaks.map((kind) => (kind.state === 'Lunch' ? { ...kind, state: 'Meal' } : kind)),
    presenceChangesPerMinute: flags.presencePerMinute,
    interactionsPerSecond: flags.interactionsPerSecond,
    voiceShare: flags.voiceShare,
    timeScale: flags.timeScale,
    recordingUrl: () => recordingUrl,
    recordingBytes,
    runId,
  };
}

/** Plays one phase through `ingressUrl` (or each of the replicas in turn), showing progress every 10 s. */
export async function play(
  name: string,
  flags: BenchFlags,
  seconds: number,
  ingressUrl: string | readonly string[],
  token: string,
  shape: LoadShape,
  sampler: UsageSampler,
): Promise<PlayedPhase> {
  const tally = emptyTally();
  const startedAt = Date.now();
  let shownAt = startedAt;
  const stats = await driveLoad({
    ingressUrl,
    token,
    events: tallied(contactCentreLoad(shape, startedAt, seconds * 1_000), tally),
    maxBatch: 500,
    giveUpAfterMs: flags.settleSeconds * 1_000,
    onProgress: (progress) => {
      if (Date.now() - shownAt < 10_000) return;
      shownAt = Date.now();
      const cpu = Object.entries(sampler.usage())
        .map(([process, usage]) => `${process} ${usage.cpuSeconds.toFixed(0)} s`)
        .join(', ');
      log(
        `${name} t=${Math.round((Date.now() - startedAt) / 1_000)} s: sent ${progress.sent}, accepted ${progress.accepted}, ` +
          `resent ${progress.resent}, refused ${progress.refused}, lag ${progress.lagMs} ms; CPU s ${cpu}`,
      );
    },
  });
  const { presenceInWindow: _presenceInWindow, ...offered } = tally;
  return { stats, offered, startedAt };
}
