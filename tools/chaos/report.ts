/**
 * The chaos run's report: results/chaos.json (everything) and results/chaos.md (what a reader needs:
 * the verdict, the faults with their times and recoveries, the oracle's counts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimulatorLatency } from '../stack/stack';
import type { InjectedFault } from './fault-player';
import type { OracleVerdict } from './oracle';
import type { ChaosFlags } from './options';
import type { ScheduledFault } from './schedule';

/** Everything one chaos run found. */
export interface ChaosReport {
  generatedAt: string;
  flags: ChaosFlags;
  schedule: ScheduledFault[];
  injected: InjectedFault[];
  /** Per fault, the p99 event age (acceptance minus the event's own time) in the minute after it. */
  recovery: ({ name: string; atSeconds: number } & Recovery)[];
  drive: {
    /** Events sent, the shift opening's included (its log-ins are acknowledged and judged too). */
    sent: number;
    acknowledged: number;
    resent: number;
    refused: number;
    abandoned: number;
    unanswered: number;
    playedSeconds: number;
    settledSeconds: number;
  };
  recordingSource: { served: number; failed: number; stalled: number };
  genesys: {
    eventsAccepted: number;
    rejectedByReason: Record<string, number>;
    duplicateEventIds: number;
    orderViolations: number;
    recordingsUploaded: number;
    requestsByStatus: Record<string, number>;
  };
  /** Agent runs that continued as new during the run: the faults met continuations too. */
  agentRunsContinuedAsNew: number;
  verdict: OracleVerdict;
}

/** How the bridge fared in the minute after a fault. */
export interface Recovery {
  /** p99 age of agent events that occurred in that minute, ms (undefined: none occurred). */
  agentP99Ms?: number;
  conversationP99Ms?: number;
}

/**
 * The p99 event age in the minute after `atSeconds`: the worst p99 of the simulator's half-minute
 * windows (by the events' own time) that overlap it.
 */
export function recoveryAfter(latency: SimulatorLatency, atSeconds: number): Recovery {
  const windows = latency.timeline.filter(
    (window) => window.fromSeconds + 30 > atSeconds && window.fromSeconds < atSeconds + 60,
  );
  const worst = (pick: (window: SimulatorLatency['timeline'][number]) => { count: number; p99: number }) => {
    const counted = windows.map(pick).filter((summary) => summary.count > 0);
    return counted.length === 0 ? undefined : Math.max(...counted.map((summary) => summary.p99));
  };
  const agentP99Ms = worst((window) => window.agent);
  const conversationP99Ms = worst((window) => window.conversation);
  return {
    ...(agentP99Ms === undefined ? {} : { agentP99Ms }),
    ...(conversationP99Ms === undefined ? {} : { conversationP99Ms }),
  };
}

/** Writes `report` as JSON at `out` and its summary beside it (`.md`); answers the summary. */
export function writeChaosReport(report: ChaosReport, out: string): string {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const summary = chaosSummary(report);
  writeFileSync(out.replace(/\.json$/, '') + '.md', summary);
  return summary;
}

/** The report in Markdown. */
export function chaosSummary(report: ChaosReport): string {
  const { verdict, flags, drive } = report;
  const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1_000).toFixed(1)} s`);
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, count]) => `${key} ${count}`)
      .join(', ') || 'none';
  const lines = [
    '# Chaos run',
    '',
    `${report.generatedAt}: ${flags.agents} agents, ${flags.seconds} s of load (${flags.presencePerMinute} presence changes/min, ` +
      `${flags.interactionsPerSecond} interactions/s), ${flags.workers} workers, seed ${flags.seed}. ` +
      `Verdict: **${verdict.ok ? 'nothing lost, doubled or reordered; every recording matched' : 'FAILED'}**.`,
    '',
    '## The oracle',
    '',
    '| | |',
    '|---|---|',
    `| events acknowledged (202) | ${verdict.acknowledged} |`,
    `| delivered to Genesys | ${verdict.delivered} |`,
    `| in ledgers, by reason | ${counts(verdict.inLedgers)} |`,
    `| lost | ${verdict.lost} |`,
    `| doubled | ${verdict.doubled} |`,
    `| reordered | ${verdict.reordered} |`,
    `| Genesys events no acknowledged event explains | ${verdict.unexpected} |`,
    `| recordings expected / matched (MD5) / mismatched / doubled | ${verdict.recordings.expected} / ${verdict.recordings.matched} / ${verdict.recordings.mismatched} / ${verdict.recordings.doubled} |`,
    `| recordings not uploaded, why | ${counts(verdict.recordings.notUploaded)} |`,
    `| conversations ended | ${counts(verdict.conversations.terminal)} |`,
    `| conversations waiting, with a reason | ${counts(verdict.conversations.waiting)} |`,
    `| conversations waiting without a reason | ${verdict.conversations.unexplained} |`,
    '',
    ...(verdict.examples.length > 0
      ? ['Examples:', '', ...verdict.examples.map((text) => `- ${text}`), '']
      : []),
    '## Faults and recovery',
    '',
    'Recovery: the p99 event age (Genesys acceptance minus the event’s own time) of events that occurred in the minute after the fault.',
    '',
    '| at | fault | lasted | requests faulted | agent p99 | conversation p99 |',
    '|---|---|---|---|---|---|',
    ...report.injected.map((fault, index) => {
      const recovery = report.recovery[index];
      return `| ${fault.atSeconds} s | ${fault.name} | ${fault.forSeconds} s | ${fault.requestsHit ?? '—'} | ${seconds(recovery?.agentP99Ms)} | ${seconds(recovery?.conversationP99Ms)} |`;
    }),
    '',
    `Recording source: ${report.recordingSource.served} fetches served whole, ${report.recordingSource.failed} answered 503, ` +
      `${report.recordingSource.stalled} stalled mid-body for ${flags.recordingStallSeconds} s and cut.`,
    '',
    '## The drive and Genesys',
    '',
    `Sent ${drive.sent} (the shift opening's log-ins included), acknowledged ${drive.acknowledged}, resent ${drive.resent} (answered unavailable or not at all: ` +
      `${drive.unanswered} requests unanswered), refused ${drive.refused}, abandoned ${drive.abandoned}; ` +
      `the load took ${drive.playedSeconds} s, the bridge settled ${drive.settledSeconds} s after.`,
    '',
    `Genesys accepted ${report.genesys.eventsAccepted} events; rejected ${counts(report.genesys.rejectedByReason)}; ` +
      `${report.genesys.duplicateEventIds} duplicate event ids, ${report.genesys.orderViolations} order violations, ` +
      `${report.genesys.recordingsUploaded} recordings uploaded. Answers by status: ${counts(report.genesys.requestsByStatus)}.`,
    '',
    `Agent runs continued as new (every ${flags.agentHistoryEvents} history events): ${report.agentRunsContinuedAsNew}.`,
    '',
  ];
  return lines.join('\n');
}
