/**
 * The bench's readable side: the Markdown summary of a run (results/bench.md) and the writing of a report
 * as JSON with its summary beside it, printed too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../stack/toolchain';
import { log } from './log';
import { isBridgeProcess, type BenchReport } from './report';

/** The Markdown summary of one run: the targets table, then what was offered, delivered and spent. */
export function summaryOf(report: BenchReport): string {
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const { measured, targets: goal, met, latencyMs: l } = report;
  const lines = [
    `# byoi-bridge seed-scale benchmark, ${report.ranAt}`,
    `${report.machine.cores} × ${report.machine.cpu}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`,
    `Load: ${report.mix} mix, ${report.settings.agents} agents, ${report.settings.presencePerMinute} presence changes/min + their routing changes, ` +
      `${report.settings.interactionsPerSecond} interactions/s (${Math.round(report.settings.voiceShare * 100)} % calls with recordings) ` +
      `for ${report.durations.playedSeconds.toFixed(0)} s; Genesys budget ${report.settings.requestsPerMinute} requests/min; reorder window ${report.settings.reorderWindowMs} ms.`,
    `Bridge: ${report.settings.workers} worker(s) sharing that budget and ${report.settings.ingresses} ingress replica(s), on ${report.temporal}.`,
    '',
    '| target | goal | measured | |',
    '|---|---|---|---|',
    `| load of ${report.settings.seconds} s played in (its length + the driver's worst lag) | ≤ ${(goal.pace * report.settings.seconds).toFixed(0)} s | ${(measured.pace * report.settings.seconds).toFixed(0)} s | ${mark(met.pace)} |`,
    `| events resent for lack of room (unavailable) | ${goal.resentForLackOfRoom} | ${measured.resentForLackOfRoom} | ${mark(met.resentForLackOfRoom)} |`,
    `| false unavailable (resent, had landed) | ${goal.falseUnavailable} | ${measured.falseUnavailable} | ${mark(met.falseUnavailable)} |`,
    `| valid events delivered | ≥ ${goal.deliveredShare * 100} % | ${(measured.deliveredShare * 100).toFixed(2)} % | ${mark(met.deliveredShare)} |`,
    `| order violations | ${goal.orderViolations} | ${measured.orderViolations} | ${mark(met.orderViolations)} |`,
    `| duplicate injections | ${goal.duplicateInjections} | ${measured.duplicateInjections} | ${mark(met.duplicateInjections)} |`,
    `| presence/routing p99 | ≤ ${goal.agentP99Ms} ms | ${measured.agentP99Ms} ms | ${mark(met.agentP99Ms)} |`,
    `| conversation event p99 | ≤ ${goal.conversationP99Ms} ms | ${measured.conversationP99Ms} ms | ${mark(met.conversationP99Ms)} |`,
    `| recording playable p99 after call end | ≤ ${goal.recordingPlayableP99Ms / 1_000} s | ${(measured.recordingPlayableP99Ms / 1_000).toFixed(1)} s | ${mark(met.recordingPlayableP99Ms)} |`,
    `| API requests per presence/routing event, look-ups included | ≤ ${goal.requestsPerAgentEvent} | ${measured.requestsPerAgentEvent} | ${mark(met.requestsPerAgentEvent)} |`,
    `| Temporal history events per source event | ≤ ${goal.historyEventsPerSourceEvent} | ${measured.historyEventsPerSourceEvent} | ${mark(met.historyEventsPerSourceEvent)} |`,
    `| bridge CPU per event ÷ plain forwarder's | ≤ ${goal.cpuRatioToBaseline}× | ${measured.cpuRatioToBaseline}× | ${mark(met.cpuRatioToBaseline)} |`,
    `| 429s | ${goal.rateLimited} | ${measured.rateLimited} | ${mark(met.rateLimited)} |`,
    ...(report.oracle
      ? [
          `| oracle: acknowledged events lost, doubled, reordered | 0, 0, 0 | ${measured.lost}, ${measured.doubled}, ${measured.reordered} | ${mark(report.oracle.verdict.ok)} |`,
        ]
      : []),
    '',
    `Offered: ${report.offered.presence} presence, ${report.offered.routingStatus} routing, ${report.offered.conversation} conversation events ` +
      `(${report.offered.calls} calls, ${report.offered.emails} emails). Delivered to Genesys: ${report.delivered.presence} presence, ` +
      `${report.delivered.routingStatus} routing; conversations ${Object.entries(
        report.delivered.conversationsByStatus,
      )
        .map(([status, count]) => `${count} ${status}`)
        .join(', ')}.`,
    `Latency occurredAt → accepted by Genesys (p50/p95/p99 ms): presence ${l.presence.p50}/${l.presence.p95}/${l.presence.p99}, ` +
      `routing ${l.routingStatus.p50}/${l.routingStatus.p95}/${l.routingStatus.p99}, conversation ${l.conversation.p50}/${l.conversation.p95}/${l.conversation.p99}; ` +
      `recording playable after call end p50 ${(l.recordingPlayableAfterCallEnd.p50 / 1_000).toFixed(1)} s, p99 ${(l.recordingPlayableAfterCallEnd.p99 / 1_000).toFixed(1)} s (${l.recordingPlayableAfterCallEnd.count} recordings).`,
    `Presence/routing p50/p99 (ms) by the half minute the events occurred in: ${report.latencyTimeline
      .filter((window) => window.agent.count > 0)
      .map((window) => `${window.fromSeconds} s ${window.agent.p50}/${window.agent.p99}`)
      .join(', ')}.`,
    `API requests: ${report.apiRequests.total} (${report.apiRequests.perMinute}/min): events ${report.apiRequests.events.presence}+${report.apiRequests.events.routingStatus}+${report.apiRequests.events.conversation} ` +
      `(per event: presence ${report.apiRequests.perEvent.presence}, routing ${report.apiRequests.perEvent.routingStatus}, conversation ${report.apiRequests.perEvent.conversation}), ` +
      `reads ${report.apiRequests.lookups} (agent look-ups ${report.apiRequests.agentLookups}), recording upload URLs ${report.apiRequests.recordingUploads}.`,
    `Processes (CPU s / peak MiB): ${Object.entries(report.processes)
      .map(([name, usage]) => `${name} ${usage.cpuSeconds.toFixed(0)} / ${usage.peakRssMiB}`)
      .join(', ')}.`,
    ...(report.workerProfile ?? []).map(
      (thread) =>
        `Worker ${thread.thread} busy ${thread.busyPercent} % of the run; its busy time by place: ${Object.entries(
          thread.byPlace,
        )
          .slice(0, 8)
          .map(([place, share]) => `${place} ${share} %`)
          .join(', ')}; top functions: ${thread.functions
          .slice(0, 6)
          .map((entry) => `${entry.function} ${entry.selfPercent} %`)
          .join(', ')}.`,
    ),
    `Temporal wrote ${report.historyEvents.total} history events (${report.cpu.historyEventsPerSourceEvent} per source event), ${report.cpu.temporalMsPerHistoryEvent} ms of Temporal's CPU each (its database's included).`,
    `CPU ms per source event by process: ${Object.entries(report.cpu.msPerEventByProcess)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(', ')}.`,
    `Bridge CPU (every process but the simulator and the driver): ${report.cpu.bridgeSeconds} s, ${report.cpu.bridgeMsPerEvent} ms per source event` +
      (report.baseline
        ? `; plain forwarder: ${report.baseline.cpuMsPerEvent} ms per event (${report.baseline.seconds} s, ${report.baseline.forwarder.published} published, ${report.baseline.forwarder.failed} failed); ratio ${report.cpu.ratioToBaseline}×.`
        : '.'),
    ...(report.shiftOpening
      ? [
          `Before the load, the shift's opening (${report.shiftOpening.events} log-in events, On Queue and Idle) was ${report.shiftOpening.accepted ? '' : 'NOT all '}accepted by Genesys after ${report.shiftOpening.acceptedAfterSeconds} s and wrote ${report.shiftOpening.historyEvents} history events (not counted above; the per-run figures below include them).`,
        ]
      : []),
    report.consistency
      ? `Consistency (simulator, measured window): ${report.consistency.total} findings${Object.entries(
          report.consistency.byRule,
        )
          .filter(([, count]) => count > 0)
          .map(([rule, count]) => `, ${rule} ${count}`)
          .join('')}.`
      : `Consistency (simulator): ${report.mix === 'uniform' ? 'not judged for the uniform mix' : 'no report from this simulator'}.`,
    `Before the load, a directory sync of the ${report.settings.agents} agents took ${report.directorySync.seconds} s and ${report.directorySync.requests} requests (not counted above); the worker then resolved agents from the agent directory it left.`,
    ...(report.oracle ? oracleLines(report.oracle) : []),
    `Temporal history events per completed conversation (${report.historyEvents.conversation.count}): p50 ${report.historyEvents.conversation.p50}, p99 ${report.historyEvents.conversation.p99}, max ${report.historyEvents.conversation.max}; per agent workflow run (${report.historyEvents.agent.count}): p50 ${report.historyEvents.agent.p50}, max ${report.historyEvents.agent.max}.`,
  ];
  return lines.join('\n');
}

/** The oracle's verdict and the load's spread over the ingress replicas, in words. */
function oracleLines({ verdict, spread }: NonNullable<BenchReport['oracle']>): string[] {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([name, count]) => `${count} ${name}`)
      .join(', ') || 'none';
  return [
    `Oracle (what the ingresses acknowledged against what Genesys holds): ${verdict.acknowledged} acknowledged, ` +
      `${verdict.delivered} delivered, in ledgers ${counts(verdict.inLedgers)}; lost ${verdict.lost}, doubled ${verdict.doubled}, ` +
      `reordered ${verdict.reordered}, unexpected ${verdict.unexpected}; recordings ${verdict.recordings.matched} of ${verdict.recordings.expected} ` +
      `matched (${verdict.recordings.mismatched} mismatched, ${verdict.recordings.doubled} doubled); conversations ended ${counts(verdict.conversations.terminal)}, ` +
      `waiting ${counts(verdict.conversations.waiting)}, unexplained ${verdict.conversations.unexplained}.`,
    ...(verdict.examples.length > 0
      ? [`Oracle's first findings: ${verdict.examples.slice(0, 5).join('; ')}.`]
      : []),
    `Spread over ${spread.ingresses} ingress replica(s) (acknowledged ${spread.acknowledgedByIngress.join(' + ')}): ` +
      `${spread.agentsOnSeveralIngresses} of ${spread.agents} agents and ${spread.interactionsOnSeveralIngresses} of ` +
      `${spread.interactions} interactions had events acknowledged by more than one.`,
  ];
}

/**
 * This run's figures beside an earlier run's (`--beside`, the dev server's beside the cluster's): the load,
 * what the bridge kept up with, what it cost per event, and what the oracle found.
 */
export function besideTable(report: BenchReport, earlier: BenchReport, earlierName: string): string {
  // An earlier report may predate the Temporal, workers, ingresses and per-process figures: read as the
  // dev server with one of each, as every run was then.
  const rows: [string, (run: BenchReport) => string][] = [
    ['Temporal', (run) => run.temporal ?? 'the Temporal dev server'],
    ['workers, ingress replicas', (run) => `${run.settings.workers ?? 1}, ${run.settings.ingresses ?? 1}`],
    [
      'load played (s), settled after it (s)',
      (run) => `${run.durations.playedSeconds.toFixed(0)}, ${run.durations.settleSeconds.toFixed(0)}`,
    ],
    [
      'source events offered (a second)',
      (run) => {
        const events = run.offered.presence + run.offered.routingStatus + run.offered.conversation;
        return `${events} (${(events / run.durations.playedSeconds).toFixed(1)})`;
      },
    ],
    [
      'Genesys events accepted a second, load and settle',
      (run) =>
        (
          run.delivered.genesysEventsAccepted /
          (run.durations.playedSeconds + run.durations.settleSeconds)
        ).toFixed(1),
    ],
    [
      'presence/routing p50 / p99 (ms)',
      (run) => `${run.latencyMs.presence.p50} / ${run.measured.agentP99Ms}`,
    ],
    [
      'conversation event p50 / p99 (ms)',
      (run) => `${run.latencyMs.conversation.p50} / ${run.measured.conversationP99Ms}`,
    ],
    ['recording playable p99 (s)', (run) => (run.measured.recordingPlayableP99Ms / 1_000).toFixed(1)],
    ['history events per source event', (run) => String(run.measured.historyEventsPerSourceEvent)],
    ['bridge CPU ms per source event', (run) => String(run.cpu.bridgeMsPerEvent)],
    [
      'CPU ms per source event by process',
      (run) =>
        Object.entries(run.cpu.msPerEventByProcess ?? {})
          .filter(([name]) => isBridgeProcess(name))
          .map(([name, ms]) => `${name} ${ms}`)
          .join(', '),
    ],
    ['Temporal CPU ms per history event', (run) => String(run.cpu.temporalMsPerHistoryEvent)],
    ['ratio to the plain forwarder', (run) => `${run.cpu.ratioToBaseline ?? '–'}×`],
    [
      'Genesys requests a minute; 429s',
      (run) => `${run.apiRequests.perMinute}; ${run.apiRequests.rateLimited}`,
    ],
    [
      'oracle: lost, doubled, reordered',
      (run) =>
        run.oracle
          ? `${run.oracle.verdict.lost}, ${run.oracle.verdict.doubled}, ${run.oracle.verdict.reordered}`
          : 'not judged',
    ],
  ];
  return [
    `## Beside ${earlierName}`,
    '',
    `| | this run | ${earlierName} |`,
    '|---|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${value(report)} | ${value(earlier)} |`),
  ].join('\n');
}

/** Writes a report as JSON and its summary as Markdown beside it, and prints the summary. */
export function writeReport(out: string, report: object, summary: string): void {
  const file = path.resolve(projectRoot, out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.md'), `${summary}\n`);
  console.log(`\n${summary}\n`);
  log(
    `report in ${path.relative(projectRoot, file)} and ${path.relative(projectRoot, file.replace(/\.json$/, '.md'))}`,
  );
}
