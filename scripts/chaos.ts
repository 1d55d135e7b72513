/**
 * The chaos run (`npm run chaos`): the generated contact centre through the embedded stack (two worker
 * processes) while a seeded schedule of faults plays — workers SIGKILLed, the dev server and the ingress
 * restarted, Genesys failing, limiting, slowing and dropping, its login down, the recording source failing
 * and stalling — then an oracle holds what the ingress acknowledged against what Genesys shows. Writes
 * results/chaos.json and results/chaos.md; exits 1 when anything was lost, doubled or reordered or a
 * recording did not match. The parts live in tools/chaos/ (docs/chaos.md).
 *
 *   npm run chaos -- --seconds 600
 */
import { Command } from 'commander';
import { positive, share, whole, withAgentHistoryFlag, withLoadFlags } from '../tools/bench/options';
import { defaultChaosFlags, type ChaosFlags } from '../tools/chaos/options';
import { writeChaosReport } from '../tools/chaos/report';
import { chaosRun } from '../tools/chaos/run';

async function main(): Promise<void> {
  const defaults = defaultChaosFlags;
  const flags = withAgentHistoryFlag(withLoadFlags(new Command('chaos'), defaults), defaults)
    .description(
      'Play the contact centre through the embedded stack under faults and judge what Genesys holds.',
    )
    .option('--seconds <n>', 'how long the load and the faults play', whole, defaults.seconds)
    .option(
      '--seed <n>',
      'seeds the load, the fault schedule and the faults themselves',
      whole,
      defaults.seed,
    )
    .option('--workers <n>', 'worker processes', whole, defaults.workers)
    .option(
      '--time-scale <n>',
      'multiplies the length of every interaction and break (below 1: a short run ends sooner)',
      positive,
      defaults.timeScale,
    )
    .option(
      '--requests-per-minute <n>',
      'the Genesys OAuth client’s request limit',
      whole,
      defaults.requestsPerMinute,
    )
    .option(
      '--recording-fail-rate <share>',
      'share of recording fetches answered 503',
      share,
      defaults.recordingFailRate,
    )
    .option(
      '--recording-stall-rate <share>',
      'share of recording fetches stalled mid-body',
      share,
      defaults.recordingStallRate,
    )
    .option(
      '--recording-stall-seconds <n>',
      'how long a stalled fetch hangs',
      whole,
      defaults.recordingStallSeconds,
    )
    .option(
      '--settle-seconds <n>',
      'longest wait after the load for the bridge to finish',
      whole,
      defaults.settleSeconds,
    )
    .option('--out <file>', 'the JSON report (the Markdown one is written beside it)', defaults.out)
    .parse()
    .opts<ChaosFlags>();
  const report = await chaosRun(flags);
  console.log(writeChaosReport(report, flags.out));
  process.exitCode = report.verdict.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
