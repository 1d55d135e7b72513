/**
 * The load CLI (`npm run load`): plays the generated contact centre's traffic — the same generator and
 * driver the bench and the main job use — at any ingress over HTTP, as a sender of one of its sources,
 * and can give the target the directory that traffic needs first. The credential is the one the ingress
 * itself reads (BYOI_INGRESS_TOKENS, else BYOI_INGRESS_HMAC_SECRETS), never a flag. Exits 1 when the run
 * could not be played, or when anything was refused or left unavailable.
 *
 *   BYOI_INGRESS_TOKENS=acd:<token> npm run load -- --target http://127.0.0.1:8080 --agents 50 --seconds 120
 *
 * Its parts live in tools/load/ (cli-options, play-at-target, load-summary, sender); docs/load.md is its manual.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { parseLoadFlags } from '../tools/load/cli-options';
import { deliveredEverything, formatSummary } from '../tools/load/load-summary';
import { playAtTarget, type RunOutput } from '../tools/load/play-at-target';
import { credentialFor } from '../tools/load/sender';

async function main(): Promise<number> {
  const flags = parseLoadFlags();
  const config = loadConfig();
  const source = flags.source ?? config.directory.source;
  const credential = credentialFor(config.ingress.sources, source);
  const output = terminalOutput();
  const summary = await playAtTarget(flags, source, credential, output);
  for (const line of formatSummary(summary)) output.line(line);
  if (flags.json) {
    await writeFile(flags.json, `${JSON.stringify(summary, null, 2)}\n`);
    output.line(`summary written to ${flags.json}`);
  }
  return deliveredEverything(summary) ? 0 : 1;
}

/** Lines to stdout; the status line rewritten in place on a terminal, else printed every 10 s to stderr. */
function terminalOutput(): RunOutput {
  const terminal = process.stderr.isTTY;
  let shownAt = 0;
  let statusShown = false;
  return {
    line(text) {
      if (statusShown) process.stderr.write('\n');
      statusShown = false;
      console.log(text);
    },
    status(text) {
      if (terminal) {
        process.stderr.write(`\r\x1b[2K${text}`);
        statusShown = true;
      } else if (Date.now() - shownAt >= 10_000) {
        shownAt = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
  };
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(`[load] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
