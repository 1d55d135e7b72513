/**
 * The soak (`npm run soak`): the seed-scale bench run for an hour with every process's memory sampled
 * each minute, the running agents asked what state they carry, and a full day projected from it (the
 * agents' deduplication window lasts a day). Writes results/soak.json and results/soak.md (charts
 * included); exits 1 when the day's projection does not fit the machine.
 *
 *   npm run soak -- --minutes 60
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  defaultBenchFlags,
  whole,
  withAgentHistoryFlag,
  withLoadFlags,
  type BenchFlags,
  type LoadFlags,
} from '../tools/bench/options';
import { benchOnce } from '../tools/bench/run';
import { writeReport } from '../tools/bench/summary';
import { log } from '../tools/bench/log';
import { measureIdFootprint, sampleAgentState } from '../tools/soak/agent-state';
import { sampleMemory, type MemorySample } from '../tools/soak/memory';
import { buildSoakReport, soakSummary, type SoakMeasurements } from '../tools/soak/report';

interface SoakFlags extends LoadFlags, Pick<BenchFlags, 'agentHistoryEvents'> {
  minutes: number;
  sampleSeconds: number;
  probeAgents: number;
  out: string;
  rejudge?: string;
}

async function main(): Promise<void> {
  const defaults = defaultBenchFlags;
  const flags = withAgentHistoryFlag(withLoadFlags(new Command('soak'), defaults), defaults)
    .description('Run the seed load for an hour, sampling memory each minute, and project a full day.')
    .option('--minutes <n>', 'how long the load plays', whole, 60)
    .option('--sample-seconds <n>', 'how often memory is sampled', whole, 60)
    .option('--probe-agents <n>', 'agent workflows asked what they carry at the end', whole, 200)
    .option('--out <file>', 'the JSON report (the Markdown one is written beside it)', 'results/soak.json')
    .option('--rejudge <file>', 'instead: judge the measurements of an earlier soak report again')
    .parse()
    .opts<SoakFlags>();
  if (flags.rejudge !== undefined) {
    const earlier = JSON.parse(readFileSync(flags.rejudge, 'utf8')) as SoakMeasurements;
    return judgeAndWrite(earlier, flags.out);
  }
  const { report: bench, observed } = await benchOnce(
    {
      ...defaults,
      agents: flags.agents,
      presencePerMinute: flags.presencePerMinute,
      interactionsPerSecond: flags.interactionsPerSecond,
      voiceShare: flags.voiceShare,
      agentHistoryEvents: flags.agentHistoryEvents,
      seconds: flags.minutes * 60,
      baselineSeconds: 0,
      out: flags.out,
    },
    (stack) => {
      // Kept as they come, so a run that fails at its end still leaves its hour of samples.
      const sofar = flags.out.replace(/\.json$/, '.samples.json');
      const taken: MemorySample[] = [];
      const stopSampling = sampleMemory(stack, flags.sampleSeconds * 1_000, (sample) => {
        taken.push(sample);
        writeFileSync(sofar, `${JSON.stringify(taken)}\n`);
        log(
          `memory at ${Math.round(sample.atSeconds / 60)} min: ${Object.entries(sample.processes)
            .map(([name, memory]) => `${name} ${memory.rssMiB} MiB`)
            .join(', ')}`,
        );
      });
      return async () => ({
        samples: await stopSampling(),
        carried: await sampleAgentState(stack.bridge.temporal, flags.probeAgents),
      });
    },
  );
  log('weighing a remembered eventId in the heap');
  judgeAndWrite({ bench, ...observed, footprint: measureIdFootprint() }, flags.out);
}

function judgeAndWrite(measured: SoakMeasurements, out: string): void {
  const report = buildSoakReport(measured);
  writeReport(out, report, soakSummary(report));
  process.exitCode = report.projection.fits ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`[soak] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
