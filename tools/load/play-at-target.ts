/**
 * `npm run load`'s run: the generated contact centre's directory given to the target (pushed, or written
 * to a file), then its traffic — the shift's opening and the load — played at the target's ingress by the
 * driver the bench and the main job use, with a progress line, summed up at the end.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolvedRates, type LoadFlags } from './cli-options';
import { contactCentreDirectory, loadParties, silentWav } from './contact-centre';
import { driveLoad, type DriveStats } from './driver';
import { contactCentreLoad, seedScale, shiftOpening, type LoadShape, type TimedEvent } from './generator';
import { summarise, type LoadSummary } from './load-summary';
import { pushDirectory, type SenderCredential, type SnapshotAnswer } from './sender';
import { emptyTally, tallied } from './tally';

/** Where a run writes what it has to say as it goes: lines, and a status line it may rewrite in place. */
export interface RunOutput {
  line(text: string): void;
  /** The status line; on a terminal it replaces the last one. */
  status(text: string): void;
}

/** Plays `flags`' load at `flags.target` as `source` with `credential`; answers its summary. */
export async function playAtTarget(
  flags: LoadFlags,
  source: string,
  credential: SenderCredential,
  output: RunOutput,
): Promise<LoadSummary> {
  const directory = contactCentreDirectory({ agents: flags.agents, source });
  if (flags.writeSnapshot) {
    await writeFile(flags.writeSnapshot, JSON.stringify(directory, null, 2));
    output.line(`wrote the generated directory (${flags.agents} agents) to ${flags.writeSnapshot}`);
  }
  let pushed: SnapshotAnswer | undefined;
  if (flags.pushDirectory) {
    pushed = await pushDirectory(flags.target, credential, directory);
    output.line(
      `the target took the directory: ${pushed.users} users, ${pushed.queues} queues, ${pushed.skills} skills, ` +
        `${pushed.wrapupCodes} wrap-up codes; its sync ${pushed.sync} (it runs there: events of agents it has ` +
        'not created yet wait for it in their workflows)',
    );
  }
  const rates = resolvedRates(flags);
  const runId = `load-${Date.now().toString(36)}`;
  const shape: LoadShape = {
    ...seedScale,
    source,
    ...loadParties(directory),
    mix: flags.mix,
    presenceChangesPerMinute: rates.presencePerMinute,
    interactionsPerSecond: rates.interactionsPerSecond,
    voiceShare: flags.voiceShare,
    timeScale: flags.timeScale,
    ...(await recording(flags)),
    runId,
    seed: flags.seed ?? Date.now() % 2 ** 31,
  };
  const offered = emptyTally();
  const startedAt = Date.now();
  const durationMs = flags.seconds * 1_000;
  if (flags.seconds > 0) {
    output.line(
      `playing ${flags.seconds} s of ${flags.agents} agents' ${flags.mix} traffic at ${flags.target} as ${source} ` +
        `(run ${runId}: ${round(rates.presencePerMinute)} presence changes/min, ${round(rates.interactionsPerSecond)} ` +
        `interactions/s, time scale ${flags.timeScale}; interactions begun are played to their end)`,
    );
  }
  const events = (function* (): Generator<TimedEvent> {
    if (flags.seconds === 0) return;
    // The realistic mix assumes every agent On Queue and Idle when it starts.
    yield* shiftOpening(shape, startedAt);
    yield* contactCentreLoad(shape, startedAt, durationMs);
  })();
  const stats = await driveLoad({
    ingressUrl: flags.target,
    credential,
    // The load's own agent events all come after the opening's instant.
    events: tallied(events, offered, { startMs: startedAt + 1, endMs: startedAt + durationMs }),
    maxBatch: flags.batch,
    concurrency: flags.concurrency,
    giveUpAfterMs: flags.giveUpAfter * 1_000,
    onProgress: (progress) => output.status(progressLine(progress, startedAt, flags.seconds)),
  });
  return summarise({
    target: flags.target,
    source,
    runId,
    mix: flags.mix,
    agents: flags.agents,
    seconds: flags.seconds,
    timeScale: flags.timeScale,
    asked: rates,
    ...(pushed ? { directory: pushed } : {}),
    offered,
    stats,
    elapsedMs: Date.now() - startedAt,
  });
}

/** The recording calls name: `--recording-url`, else a silent WAV written here (readable by a worker on this machine). */
async function recording(flags: LoadFlags): Promise<Pick<LoadShape, 'recordingUrl' | 'recordingBytes'>> {
  if (flags.recordingUrl !== undefined) {
    const url = flags.recordingUrl;
    return { recordingUrl: () => url, recordingBytes: flags.recordingBytes };
  }
  const wav = silentWav(1);
  const file = path.join(tmpdir(), 'byoi-load-recording.wav');
  await writeFile(file, wav);
  const url = pathToFileURL(file).href;
  return { recordingUrl: () => url, recordingBytes: wav.length };
}

function progressLine(progress: DriveStats, startedAt: number, seconds: number): string {
  const elapsed = Math.round((Date.now() - startedAt) / 1_000);
  return (
    `${elapsed} s${elapsed <= seconds ? ` of ${seconds}` : ' (interactions finishing)'}: sent ${progress.sent}, ` +
    `accepted ${progress.accepted}, duplicate ${progress.duplicate}, refused ${progress.refused}, ` +
    `resent ${progress.resent}, lag ${progress.lagMs} ms`
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
