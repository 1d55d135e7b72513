/**
 * The benchmark (`npm run bench`): the seed-scale contact centre — 4,000 agents, 2,000 presence changes a
 * minute each with its routing-status change, 5 new interactions a second (70 % calls with recordings,
 * 30 % emails), every lifecycle played whole — through the embedded stack, every part its own process:
 * the Temporal dev server, the Genesys simulator, a bridge worker and the ingress, driven over HTTP as
 * ACD adapters would. The load is the realistic mix by default (every agent's shift simulated: the
 * shift's opening logs every agent in On Queue before the measured window, interactions go to free agents
 * on queue, breaks between interactions), or `--mix uniform`, the load first measured (presence changes
 * and interactions drawn independently), so the two can be set side by side. Then, in the same run, a
 * plain forwarder with no Temporal takes the same traffic as the baseline. Writes a JSON report and a
 * readable summary under results/ and prints the summary.
 *
 *   npm run bench -- --seconds 300
 *
 * Past one machine: `npm run bench -- --cluster --workers 2 --ingresses 2` runs the bridge on the real
 * Temporal server of `npm run cluster -- up` with two workers and two ingress replicas, judged by the chaos
 * oracle, and `--beside <report>` sets the figures beside a dev-server run's (docs/deployment.md).
 *
 * The parts of a run live in tools/bench/ (options, bridge, play, settle, shift opening, baseline,
 * report, summary, curve); this entry parses the flags, runs, and writes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { benchCurve } from '../tools/bench/curve';
import {
  count,
  defaultBenchFlags,
  mix,
  positive,
  whole,
  withAgentHistoryFlag,
  withLoadFlags,
  type BenchFlags,
} from '../tools/bench/options';
import type { BenchReport } from '../tools/bench/report';
import { benchOnce } from '../tools/bench/run';
import { besideTable, summaryOf, writeReport } from '../tools/bench/summary';

async function main(): Promise<void> {
  const defaults = defaultBenchFlags;
  const flags = withAgentHistoryFlag(withLoadFlags(new Command('bench'), defaults), defaults)
    .description('Run the seed-scale benchmark on the embedded stack and write results/bench.json.')
    .option(
      '--mix <mix>',
      "realistic (every agent's shift simulated, after a shift opening) or uniform (presence changes and interactions drawn independently, the first load measured)",
      mix,
      defaults.mix,
    )
    .option('--seconds <n>', 'how long to offer the load to the bridge', whole, defaults.seconds)
    .option(
      '--baseline-seconds <n>',
      'how long to offer it to the plain forwarder (0: no baseline)',
      whole,
      defaults.baselineSeconds,
    )
    .option(
      '--time-scale <n>',
      'multiplies the length of every interaction and break (below 1: a short run ends sooner)',
      positive,
      defaults.timeScale,
    )
    .option(
      '--requests-per-minute <n>',
      'the Genesys OAuth client’s request limit (raised: the seed scale needs more than the default 300)',
      whole,
      defaults.requestsPerMinute,
    )
    .option(
      '--reorder-window-ms <n>',
      'how long workflows hold an event for an earlier one',
      whole,
      defaults.reorderWindowMs,
    )
    .option(
      '--publish-interval-ms <n>',
      'least time between two requests of one event endpoint',
      whole,
      defaults.publishIntervalMs,
    )
    .option(
      '--max-cached-workflows <n>',
      'workflows the worker keeps in memory (every agent and live conversation)',
      whole,
      defaults.maxCachedWorkflows,
    )
    .option('--profile', 'record a CPU profile of the worker and summarise it in the report', false)
    .option('--codec', 'seal every payload with the payload codec (a key of this run only)', false)
    .option(
      '--cluster',
      'run on the Temporal cluster of `npm run cluster -- up` (PostgreSQL, 8 shards), in a namespace of the run’s own',
      false,
    )
    .option('--workers <n>', 'worker processes, sharing the Genesys client’s budget', count, defaults.workers)
    .option(
      '--ingresses <n>',
      'ingress replicas (the driver sends each request to the next in turn)',
      count,
      defaults.ingresses,
    )
    .option(
      '--oracle',
      'judge the run with the chaos oracle: nothing acknowledged lost, doubled or reordered (on with --cluster)',
      false,
    )
    .option('--beside <report>', 'set this run’s figures beside an earlier report’s (JSON) in the summary')
    .option(
      '--settle-seconds <n>',
      'how long to wait after the load for the bridge to finish',
      whole,
      defaults.settleSeconds,
    )
    .option('--out <file>', 'the JSON report', defaults.out)
    .option(
      '--curve [agents]',
      'instead: a scaling table, one shorter run per contact-centre size (rates scaled alike), in results/bench-curve.*',
    )
    .parse()
    .opts<BenchFlags>();
  if (flags.cluster) flags.oracle = true;
  if (flags.curve !== undefined) return benchCurve(flags);
  // Read first: a wrong path should fail before the run, not after it.
  const earlier = flags.beside && {
    name: path.basename(flags.beside),
    report: JSON.parse(readFileSync(flags.beside, 'utf8')) as BenchReport,
  };
  const report = await benchOnce(flags);
  const summary = summaryOf(report);
  writeReport(
    flags.out,
    report,
    earlier ? `${summary}\n\n${besideTable(report, earlier.report, earlier.name)}` : summary,
  );
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
