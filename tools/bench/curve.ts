/**
 * The scaling curve (`--curve`): one run per contact-centre size with the rates scaled alike, written
 * as a table (results/bench-curve.json and .md) after every size.
 */
import path from 'node:path';
import { log } from './log';
import { whole, type BenchFlags } from './options';
import type { BenchReport } from './report';
import { benchOnce } from './run';
import { writeReport } from './summary';

/**
 * The scaling table: one run per contact-centre size, with the seed's rates scaled alike (a presence
 * change per agent every two minutes, one interaction a second per 800 agents), so it shows how the cost
 * grows with the work and where a size cannot keep up.
 */
export async function benchCurve(flags: BenchFlags): Promise<void> {
  const sizes =
    typeof flags.curve === 'string'
      ? flags.curve.split(',').map((size) => whole(size))
      : [1_000, 2_000, 4_000, 8_000];
  const points = [];
  for (const agents of sizes) {
    log(`curve: ${agents} agents`);
    const report = await benchOnce({
      ...flags,
      agents,
      presencePerMinute: Math.round((agents * flags.presencePerMinute) / flags.agents),
      interactionsPerSecond: (agents * flags.interactionsPerSecond) / flags.agents,
    });
    points.push(report);
    // Written after every size, so a long curve cut short still leaves the sizes it ran.
    writeCurve(flags, points);
  }
}

/** The scaling table of the sizes run so far, as JSON and Markdown. */
function writeCurve(flags: BenchFlags, points: BenchReport[]): void {
  const rows = points.map((report) => {
    const sourceEvents = report.offered.presence + report.offered.routingStatus + report.offered.conversation;
    const peak = (name: string) => report.processes[name]?.peakRssMiB ?? 0;
    return {
      agents: report.settings.agents,
      offeredPerSecond: Number((sourceEvents / report.settings.seconds).toFixed(1)),
      playedSeconds: report.measured.pace * report.settings.seconds,
      keepsUp: report.met.pace && report.met.deliveredShare,
      deliveredShare: report.measured.deliveredShare,
      cpuMsPerEvent: report.cpu.bridgeMsPerEvent,
      cpuRatioToBaseline: report.measured.cpuRatioToBaseline,
      historyEventsPerSourceEvent: report.measured.historyEventsPerSourceEvent,
      agentP99Ms: report.measured.agentP99Ms,
      conversationP99Ms: report.measured.conversationP99Ms,
      peakRssMiB: { worker: peak('worker'), temporal: peak('temporal'), ingress: peak('ingress') },
    };
  });
  const summary = [
    `# byoi-bridge scaling curve, ${points[0]?.ranAt ?? ''}`,
    `${points[0]?.machine.cores} × ${points[0]?.machine.cpu}, Node ${points[0]?.machine.node}; ${flags.seconds} s of the ${flags.mix} mix per size, ` +
      `rates scaled from ${flags.agents} agents / ${flags.presencePerMinute} presence changes a minute / ${flags.interactionsPerSecond} interactions a second; ` +
      `Genesys budget ${flags.requestsPerMinute} requests/min.`,
    '',
    '| agents | offered events/s | load played in | keeps up | delivered | CPU ms/event | ÷ forwarder | history events/event | presence p99 | conversation p99 | peak MiB worker / Temporal / ingress |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.agents} | ${row.offeredPerSecond} | ${row.playedSeconds.toFixed(0)} s | ${row.keepsUp ? 'yes' : 'NO'} | ${(row.deliveredShare * 100).toFixed(2)} % | ` +
        `${row.cpuMsPerEvent} | ${row.cpuRatioToBaseline}× | ${row.historyEventsPerSourceEvent} | ${row.agentP99Ms} ms | ${row.conversationP99Ms} ms | ` +
        `${row.peakRssMiB.worker} / ${row.peakRssMiB.temporal} / ${row.peakRssMiB.ingress} |`,
    ),
  ].join('\n');
  writeReport(
    path.join(path.dirname(flags.out), 'bench-curve.json'),
    { mix: flags.mix, rows, points },
    summary,
  );
}
