/**
 * One chaos run: the stack started (two workers), the directory synced, the shift opened, then the
 * generated contact centre played through the acknowledgement log while the seeded fault schedule plays;
 * then the bridge is given time to finish, and the oracle judges what Genesys holds. Answers the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { silentWav } from '../load/contact-centre';
import { driveLoad } from '../load/driver';
import { contactCentreLoad, shiftOpening } from '../load/generator';
import { syncBenchDirectory } from '../bench/directory';
import { benchSource, defaultBenchFlags, type BenchFlags } from '../bench/options';
import { loadShape } from '../bench/play';
import { poll, simulatorCounters, simulatorLatency } from '../stack/stack';
import { startAcknowledgementLog } from './acknowledgements';
import { playFaults } from './fault-player';
import { log } from './log';
import { judge, type OracleVerdict } from './oracle';
import type { ChaosFlags } from './options';
import { readBack } from './read-back';
import { startRecordingSource } from './recording-source';
import { recoveryAfter, type ChaosReport } from './report';
import { chaosSchedule } from './schedule';
import { ChaosStack } from './stack';

/** Runs the chaos run of `flags` and answers its report. */
export async function chaosRun(flags: ChaosFlags): Promise<ChaosReport> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-chaos-'));
  const stopping: (() => Promise<void>)[] = [];
  try {
    const stack = await ChaosStack.start({ ...flags, dataDir });
    stopping.push(() => stack.stop());
    const wav = silentWav(10);
    const source = await startRecordingSource(wav, {
      failRate: flags.recordingFailRate,
      stallRate: flags.recordingStallRate,
      stallMs: flags.recordingStallSeconds * 1_000,
      seed: flags.seed,
    });
    stopping.push(() => source.close());
    const acknowledgements = await startAcknowledgementLog(stack.ingressUrl);
    stopping.push(() => acknowledgements.close());

    await syncBenchDirectory({
      simulatorUrl: stack.simulatorUrl,
      ingressUrl: stack.ingressUrl,
      token: stack.token,
      temporal: { address: stack.server.address, namespace: 'default' },
      source: benchSource,
      agents: flags.agents,
    });
    const runId = `chaos-${Date.now().toString(36)}`;
    const shape = {
      ...loadShape(benchFlagsOf(flags), runId, '', wav.length),
      recordingUrl: source.urlOf,
      seed: flags.seed,
      timeScale: flags.timeScale,
    };
    const opening = shiftOpening(shape, Date.now());
    await driveLoad({
      ingressUrl: acknowledgements.url,
      token: stack.token,
      events: opening,
      maxBatch: 500,
      inOrder: true,
    });
    await poll(
      async () => (await simulatorCounters(stack.simulatorUrl)).eventsAccepted,
      (accepted) => accepted >= opening.length,
      120_000,
      1_000,
    );
    log(`shift opened: ${opening.length} log-in events of ${flags.agents} agents`);

    const schedule = chaosSchedule(flags.seconds, flags.seed, flags.workers);
    const startedAt = Date.now();
    let shownAt = startedAt;
    log(`load: ${flags.seconds} s, ${schedule.length} faults scheduled`);
    const [drive, injected] = await Promise.all([
      driveLoad({
        ingressUrl: acknowledgements.url,
        token: stack.token,
        events: contactCentreLoad(shape, startedAt, flags.seconds * 1_000),
        maxBatch: 500,
        // As an adapter reading an ordered stream: a resend never overtakes what came after it.
        inOrder: true,
        giveUpAfterMs: flags.settleSeconds * 1_000,
        onProgress: (progress) => {
          if (Date.now() - shownAt < 10_000) return;
          shownAt = Date.now();
          log(
            `t=${Math.round((shownAt - startedAt) / 1_000)} s: sent ${progress.sent}, accepted ${progress.accepted}, ` +
              `resent ${progress.resent}, unanswered ${progress.unanswered}, waiting to resend ${progress.sent - progress.accepted - progress.duplicate - progress.refused - progress.conversationFinished}`,
          );
        },
      }),
      playFaults(stack, schedule, startedAt, flags.seed),
    ]);
    const playedAt = Date.now();
    log(
      `load played: ${drive.sent} sent (and ${opening.length} of the shift opening), ${acknowledgements.acknowledged.size} acknowledged; settling`,
    );
    const connection = await Connection.connect({ address: stack.server.address });
    stopping.push(() => connection.close());
    const acknowledged = [...acknowledgements.acknowledged.values()];
    const readBackOptions = {
      simulatorUrl: stack.simulatorUrl,
      uploadDir: path.join(dataDir, 'uploads'),
      client: new Client({ connection }),
      source: benchSource,
    };
    const verdict = await judgeOnceSettled(flags, async () => {
      const read = await readBack(readBackOptions, acknowledged);
      const { orderViolations } = await simulatorCounters(stack.simulatorUrl);
      return judge(acknowledged, read.agents, read.conversations, source.md5, orderViolations);
    });
    const settledAt = Date.now();
    const latency = await simulatorLatency(stack.simulatorUrl, startedAt);
    const counters = await simulatorCounters(stack.simulatorUrl);
    const { count: agentRunsContinuedAsNew } = await readBackOptions.client.workflow.count(
      `ByoiKind = 'agent' AND ExecutionStatus = 'ContinuedAsNew'`,
    );
    return {
      generatedAt: new Date().toISOString(),
      flags,
      schedule,
      injected,
      recovery: injected.map((fault) => ({
        name: fault.name,
        atSeconds: fault.atSeconds,
        ...recoveryAfter(latency, fault.atSeconds),
      })),
      drive: {
        sent: opening.length + drive.sent,
        acknowledged: acknowledged.length,
        resent: drive.resent,
        refused: drive.refused,
        abandoned: drive.abandoned,
        unanswered: drive.unanswered + acknowledgements.unanswered,
        playedSeconds: Math.round((playedAt - startedAt) / 1_000),
        settledSeconds: Math.round((settledAt - playedAt) / 1_000),
      },
      recordingSource: source.counts,
      genesys: {
        eventsAccepted: counters.eventsAccepted,
        rejectedByReason: counters.rejectedByReason,
        duplicateEventIds: counters.duplicateEventIds,
        orderViolations: counters.orderViolations,
        recordingsUploaded: counters.recordingsUploaded,
        requestsByStatus: counters.requestsByStatus,
      },
      agentRunsContinuedAsNew,
      verdict,
    };
  } finally {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Judges until the bridge has finished what it can: nothing lost and no conversation still publishing
 * or uploading (a step's retries back off to a minute, a stalled recording fetch waits its idle time), or
 * `settleSeconds` passes; answers the last verdict. Only when to look depends on the bridge, not what
 * the oracle finds.
 */
async function judgeOnceSettled(
  flags: ChaosFlags,
  judgeNow: () => Promise<OracleVerdict>,
): Promise<OracleVerdict> {
  const busy = new Set(['Running', 'UploadingRecording']);
  return poll(
    judgeNow,
    (verdict) =>
      verdict.lost === 0 &&
      verdict.conversations.unexplained === 0 &&
      Object.keys(verdict.conversations.waiting).every((status) => !busy.has(status)),
    flags.settleSeconds * 1_000,
    5_000,
  );
}

/** The bench's flags the load's shape is drawn from. */
function benchFlagsOf(flags: ChaosFlags): BenchFlags {
  return {
    ...defaultBenchFlags,
    seconds: flags.seconds,
    baselineSeconds: 0,
    agents: flags.agents,
    presencePerMinute: flags.presencePerMinute,
    interactionsPerSecond: flags.interactionsPerSecond,
    voiceShare: flags.voiceShare,
    requestsPerMinute: flags.requestsPerMinute,
    settleSeconds: flags.settleSeconds,
    out: flags.out,
  };
}
