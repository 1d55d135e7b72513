/**
 * The flags of `npm run load`: what to play (the generated contact centre's size, rates and mix), where
 * (any ingress's URL, as one of its sources), and what to give it first (the directory). Each value is
 * checked as commander parses it, so a bad flag is refused naming the flag and why. Credentials are
 * not flags: a flag shows in `ps`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { sourceNameSchema } from '../../domain/events/envelope';
import { seedScale, type LoadShape } from './generator';

/** The agents of the seed scale, whose rates `seedScale` gives. */
const seedScaleAgents = 4_000;

/** The load CLI's flags, as parsed. */
export interface LoadFlags {
  target: string;
  source?: string;
  agents: number;
  seconds: number;
  /** Unset: the seed scale's rate per agent (see {@link resolvedRates}). */
  presencePerMinute?: number;
  /** Unset: the seed scale's rate per agent (see {@link resolvedRates}). */
  interactionsPerSecond?: number;
  mix: NonNullable<LoadShape['mix']>;
  timeScale: number;
  voiceShare: number;
  seed?: number;
  pushDirectory: boolean;
  writeSnapshot?: string;
  recordingUrl?: string;
  recordingBytes?: number;
  giveUpAfter: number;
  concurrency: number;
  batch: number;
  json?: string;
}

/** Parses a whole number of at least `min`. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min) {
      throw new InvalidArgumentError(`it must be a whole number ≥ ${min}`);
    }
    return parsed;
  };
}

/** Parses a finite number greater than 0. */
function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!(Number.isFinite(parsed) && parsed > 0)) throw new InvalidArgumentError('it must be a number > 0');
  return parsed;
}

/** Parses a share between 0 and 1. */
function share(value: string): number {
  const parsed = Number(value);
  if (!(value.trim() !== '' && parsed >= 0 && parsed <= 1)) {
    throw new InvalidArgumentError('it must be a share between 0 and 1, e.g. 0.7');
  }
  return parsed;
}

/** Parses an http(s) URL, without its trailing slash. */
function httpUrl(value: string): string {
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError('it must be an http(s) URL, e.g. http://127.0.0.1:8080');
  }
  return parsed.data.replace(/\/+$/, '');
}

/** Parses a recording's URL: what an event's `recordingReady` may name. */
function recordingUrl(value: string): string {
  if (!z.url({ protocol: /^(https?|file|s3)$/ }).safeParse(value).success) {
    throw new InvalidArgumentError('it must be an http, https, file or s3 URL');
  }
  return value;
}

/** Parses a source name as the ingress takes it. */
function sourceName(value: string): string {
  const parsed = sourceNameSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError(`it is not a source name: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data;
}

/** The command `scripts/load.ts` parses. */
export function loadCommand(): Command {
  return new Command('load')
    .description(
      'Play the generated contact centre’s traffic at an ingress over HTTP, as a sender of one of its ' +
        'sources (credentials from BYOI_INGRESS_TOKENS or BYOI_INGRESS_HMAC_SECRETS, as the ingress reads them).',
    )
    .requiredOption('--target <url>', 'the ingress’s base URL, e.g. http://127.0.0.1:8080', httpUrl)
    .option('--source <name>', 'the source to send as (default: BYOI_SOURCE, else acd)', sourceName)
    .option('--agents <n>', 'agents in the generated contact centre', wholeNumber(1), 20)
    .option(
      '--seconds <s>',
      'how long new interactions and breaks arrive (0: no traffic)',
      wholeNumber(0),
      60,
    )
    .option(
      '--presence-per-minute <n>',
      'presence changes a minute across all agents (default: the seed scale’s per agent, ÷ --time-scale)',
      positiveNumber,
    )
    .option(
      '--interactions-per-second <n>',
      'new calls and emails a second (default: the seed scale’s per agent, ÷ --time-scale)',
      positiveNumber,
    )
    .addOption(
      new Option(
        '--mix <mix>',
        'realistic: every agent’s shift simulated; uniform: changes drawn independently',
      )
        .choices(['realistic', 'uniform'])
        .default('realistic'),
    )
    .option(
      '--time-scale <x>',
      'multiplies every duration (talk, wrap-up, breaks): < 1 plays faster',
      positiveNumber,
      1,
    )
    .option('--voice-share <share>', 'share of interactions that are calls', share, 0.7)
    .option('--seed <n>', 'the generator’s seed (default: from the clock)', wholeNumber(0))
    .option(
      '--push-directory',
      'PUT the generated directory to the target’s /v1/directory/snapshot first',
      false,
    )
    .option('--write-snapshot <file>', 'write the generated directory snapshot to this file')
    .option(
      '--recording-url <url>',
      'where the target’s worker fetches calls’ recordings (default: a silent WAV on this machine, file://)',
      recordingUrl,
    )
    .option('--recording-bytes <n>', 'the size of the file at --recording-url, if known', wholeNumber(1))
    .option(
      '--give-up-after <s>',
      'once all is sent, how long to resend what the ingress answers unavailable',
      wholeNumber(0),
      60,
    )
    .option('--concurrency <n>', 'requests in flight at once', wholeNumber(1), 4)
    .option('--batch <n>', 'events per request', wholeNumber(1), 200)
    .option('--json <file>', 'also write the summary to this file as JSON');
}

/** Parses `argv` (process.argv by default); commander exits with the reason on a bad flag. */
export function parseLoadFlags(argv?: string[]): LoadFlags {
  const command = loadCommand();
  if (argv) command.parse(argv, { from: 'user' });
  else command.parse();
  const flags = command.opts<LoadFlags>();
  if (flags.recordingBytes !== undefined && flags.recordingUrl === undefined) {
    command.error("error: option '--recording-bytes <n>' needs --recording-url: it is that file's size");
  }
  return flags;
}

/**
 * The rates to play: the flags', else the seed scale's per agent (4,000 agents: 2,000 presence changes a
 * minute, 5 interactions a second), sped up as much as the lifecycles are by `--time-scale`.
 */
export function resolvedRates(flags: LoadFlags): {
  presencePerMinute: number;
  interactionsPerSecond: number;
} {
  return {
    presencePerMinute:
      flags.presencePerMinute ??
      (seedScale.presenceChangesPerMinute * flags.agents) / seedScaleAgents / flags.timeScale,
    interactionsPerSecond:
      flags.interactionsPerSecond ??
      (seedScale.interactionsPerSecond * flags.agents) / seedScaleAgents / flags.timeScale,
  };
}
