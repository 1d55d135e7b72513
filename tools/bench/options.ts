/**
 * The bench's settings: the flags `scripts/bench.ts` parses, the checks commander runs on their values,
 * and the source and task queue every part of a run shares.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { defaultAgentWorkflowSettings } from '../../workflows/agent';
import type { LoadShape } from '../load/generator';

/** Which load the bench plays: every agent's shift simulated, or changes drawn independently. */
export type Mix = NonNullable<LoadShape['mix']>;

/** The bench's flags as commander parses them (they are written into the report as its settings). */
export interface BenchFlags {
  mix: Mix;
  seconds: number;
  baselineSeconds: number;
  agents: number;
  presencePerMinute: number;
  interactionsPerSecond: number;
  voiceShare: number;
  /** Multiplies the length of every interaction and break (below 1: a short run ends sooner). */
  timeScale: number;
  requestsPerMinute: number;
  reorderWindowMs: number;
  publishIntervalMs: number;
  profile: boolean;
  /** Seal every payload with the codec (a key of this run's own), as a production bridge with a key does. */
  codec: boolean;
  maxCachedWorkflows: number;
  /** An agent workflow continues as new after this many history events. */
  agentHistoryEvents: number;
  settleSeconds: number;
  out: string;
  /** Run on the cluster of `npm run cluster -- up` (a namespace of the run's own) instead of a dev server. */
  cluster: boolean;
  /** Worker processes, sharing the Genesys client's budget. */
  workers: number;
  /** Ingress replicas; the driver sends each request to the next in turn. */
  ingresses: number;
  /** Judge the run with the chaos oracle (what the ingresses acknowledged against what Genesys holds). */
  oracle: boolean;
  /** A report of an earlier run (the dev server's) whose figures the summary sets beside this one's. */
  beside?: string;
  /** `--curve`: true, or the contact-centre sizes to run, comma-separated. */
  curve?: true | string;
}

/** The seed scale: the bench's defaults, and the settings every run built on it starts from. */
export const defaultBenchFlags: BenchFlags = {
  mix: 'realistic',
  seconds: 300,
  baselineSeconds: 120,
  agents: 4_000,
  presencePerMinute: 2_000,
  interactionsPerSecond: 5,
  voiceShare: 0.7,
  timeScale: 1,
  // Raised: the seed scale needs more than Genesys's default 300.
  requestsPerMinute: 3_000,
  reorderWindowMs: 500,
  publishIntervalMs: 400,
  profile: false,
  codec: false,
  maxCachedWorkflows: 10_000,
  agentHistoryEvents: defaultAgentWorkflowSettings.continueAsNewAfterHistoryEvents,
  cluster: false,
  workers: 1,
  ingresses: 1,
  oracle: false,
  settleSeconds: 300,
  out: 'results/bench.json',
};

/** The ACD source the load comes from: the simulator seeds its external ids under this name. */
export const benchSource = 'acd';

/** The task queue of the bench's worker, apart from any other bridge on the machine. */
export const benchTaskQueue = 'byoi-bench';

/** Parses a flag that is a whole number ≥ 0. */
export function whole(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return parsed;
}

/** Parses a flag that is a whole number ≥ 1. */
export function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return parsed;
}

/** Parses a flag that is a finite number > 0. */
export function positive(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && Number.isFinite(parsed))) throw new InvalidArgumentError('a number > 0');
  return parsed;
}

/** Parses a flag that is a share between 0 and 1. */
export function share(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError('a share between 0 and 1');
  return parsed;
}

/** Parses `--mix`. */
export function mix(value: string): Mix {
  if (value !== 'realistic' && value !== 'uniform') throw new InvalidArgumentError('realistic or uniform');
  return value;
}

/** The contact centre's size and rates: what every run on the generated load is given. */
export type LoadFlags = Pick<
  BenchFlags,
  'agents' | 'presencePerMinute' | 'interactionsPerSecond' | 'voiceShare'
>;

/** Adds the flags of {@link LoadFlags} to a run's command, with that run's defaults. */
export function withLoadFlags(command: Command, defaults: LoadFlags): Command {
  return command
    .option('--agents <n>', 'agents in the contact centre', whole, defaults.agents)
    .option(
      '--presence-per-minute <n>',
      'presence changes a minute (each with a routing-status change)',
      whole,
      defaults.presencePerMinute,
    )
    .option(
      '--interactions-per-second <n>',
      'new interactions a second',
      positive,
      defaults.interactionsPerSecond,
    )
    .option('--voice-share <share>', 'share of interactions that are calls', share, defaults.voiceShare);
}

/** Adds `--agent-history-events`: when an agent workflow continues as new, which bounds its memory. */
export function withAgentHistoryFlag(
  command: Command,
  defaults: Pick<BenchFlags, 'agentHistoryEvents'>,
): Command {
  return command.option(
    '--agent-history-events <n>',
    'history events after which an agent workflow continues as new (bounds its memory in the worker)',
    whole,
    defaults.agentHistoryEvents,
  );
}
