/**
 * What a played load comes to, as `npm run load` prints it and writes it with `--json`: every event's
 * outcome, the rates achieved against those asked for, how fast the ingress answered, and why it
 * refused what it refused.
 */
import { percentile } from '../../simulator/latency';
import type { DriveStats } from './driver';
import type { SnapshotAnswer } from './sender';
import type { OfferedTally } from './tally';

/** What a run played, where, and as whom: the same in the run and its summary. */
export interface LoadRunShape {
  target: string;
  source: string;
  runId: string;
  mix: string;
  agents: number;
  seconds: number;
  timeScale: number;
  /** What the ingress said of the pushed directory (`--push-directory`). */
  directory?: SnapshotAnswer;
}

/** The summary of one run of the load CLI. */
export interface LoadSummary extends LoadRunShape {
  events: {
    sent: number;
    accepted: number;
    duplicate: number;
    refused: number;
    conversationFinished: number;
    /** Still answered `unavailable` when the CLI gave up resending them. */
    unavailable: number;
    /** Answers of `unavailable` (or no answer) that were sent again. */
    resent: number;
  };
  offered: OfferedTally & { interactions: number };
  rates: {
    asked: { presencePerMinute: number; interactionsPerSecond: number };
    achieved: { eventsPerSecond: number; presencePerMinute: number; interactionsPerSecond: number };
  };
  requests: number;
  /** Requests the ingress did not answer at all, and why the latest did not. */
  unanswered: { requests: number; lastReason?: string };
  /** Each request's round trip to the ingress's answer, in ms. */
  answerLatencyMs: { p50: number; p99: number; max: number };
  /** How far behind its time the latest-sent event went out, in ms. */
  maxLagMs: number;
  /** How long the run took, in s, from the first event to the last answer. */
  elapsedSeconds: number;
  /** Refused fields by reason: `<field> <code>` → events. */
  refusalReasons: Record<string, number>;
  firstRefusals: string[];
}

/** What a run knew besides the driver's figures. */
export interface PlayedRun extends LoadRunShape {
  asked: { presencePerMinute: number; interactionsPerSecond: number };
  offered: OfferedTally;
  stats: DriveStats;
  elapsedMs: number;
}

/** The summary of `run`. */
export function summarise(run: PlayedRun): LoadSummary {
  const { stats, offered, target, source, runId, mix, agents, seconds, timeScale, directory } = run;
  const interactions = offered.calls + offered.emails;
  const perSecond = (count: number, seconds: number) => (seconds > 0 ? round(count / seconds) : 0);
  return {
    target,
    source,
    runId,
    mix,
    agents,
    seconds,
    timeScale,
    ...(directory ? { directory } : {}),
    events: {
      sent: stats.sent,
      accepted: stats.accepted,
      duplicate: stats.duplicate,
      refused: stats.refused,
      conversationFinished: stats.conversationFinished,
      unavailable: stats.abandoned,
      resent: stats.resent,
    },
    offered: { ...offered, interactions },
    rates: {
      asked: run.asked,
      achieved: {
        eventsPerSecond: perSecond(stats.sent, run.elapsedMs / 1_000),
        presencePerMinute: perSecond(offered.presenceInWindow * 60, seconds),
        interactionsPerSecond: perSecond(interactions, seconds),
      },
    },
    requests: stats.requests,
    unanswered: {
      requests: stats.unanswered,
      ...(stats.lastUnanswered ? { lastReason: stats.lastUnanswered } : {}),
    },
    answerLatencyMs: {
      p50: percentile(stats.requestMs, 50),
      p99: percentile(stats.requestMs, 99),
      max: stats.requestMs.reduce((most, ms) => Math.max(most, ms), 0),
    },
    maxLagMs: stats.maxLagMs,
    elapsedSeconds: round(run.elapsedMs / 1_000),
    refusalReasons: stats.refusalReasons,
    firstRefusals: stats.refusals.slice(0, 5),
  };
}

/** Whether the run delivered everything it sent: nothing refused, nothing left unavailable. */
export function deliveredEverything(summary: LoadSummary): boolean {
  return summary.events.refused === 0 && summary.events.unavailable === 0;
}

/** The summary as lines for a person. */
export function formatSummary(summary: LoadSummary): string[] {
  const { events, rates, answerLatencyMs: latency, offered } = summary;
  const lines = [
    `played run ${summary.runId} at ${summary.target} as ${summary.source}: ${summary.agents} agents, ` +
      `${summary.seconds} s of the ${summary.mix} mix at time scale ${summary.timeScale}, in ${summary.elapsedSeconds} s`,
    `events: ${events.sent} sent, ${events.accepted} accepted, ${events.duplicate} duplicate, ${events.refused} refused, ` +
      `${events.conversationFinished} conversationFinished, ${events.unavailable} unavailable (${events.resent} resent)`,
    `offered: ${offered.presence} presence, ${offered.routingStatus} routing status, ${offered.conversation} conversation ` +
      `events (${offered.calls} calls, ${offered.emails} emails)`,
    `rates achieved (asked): ${rates.achieved.presencePerMinute} (${round(rates.asked.presencePerMinute)}) presence changes/min, ` +
      `${rates.achieved.interactionsPerSecond} (${round(rates.asked.interactionsPerSecond)}) interactions/s; ` +
      `${rates.achieved.eventsPerSecond} events/s overall`,
    `answer latency: p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms over ${summary.requests} requests; ` +
      `the latest event went out ${summary.maxLagMs} ms after its time at worst`,
  ];
  const reasons = Object.entries(summary.refusalReasons).sort(([, a], [, b]) => b - a);
  if (reasons.length > 0) {
    lines.push(
      `refusals by field and reason: ${reasons.map(([reason, count]) => `${reason} ×${count}`).join(', ')}`,
    );
    for (const refusal of summary.firstRefusals) lines.push(`  refused ${refusal}`);
  }
  if (summary.unanswered.requests > 0) {
    lines.push(
      `${summary.unanswered.requests} requests got no answer (the latest: ${summary.unanswered.lastReason ?? 'unknown'})`,
    );
  }
  if (events.unavailable > 0) {
    lines.push(
      `${events.unavailable} events were still unavailable or unanswered when --give-up-after ran out: not delivered`,
    );
  }
  return lines;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
