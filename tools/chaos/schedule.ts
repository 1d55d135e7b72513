/**
 * The chaos run's fault schedule: which fault happens when, drawn from a seed so a failing run can be
 * repeated, and scaled to the run's length so a two-minute run still sees every kind once. Pure.
 */
import { seededRandom, type Random } from '../../simulator/random';
import type { FaultRuleInput } from '../../simulator/faults';

/** One fault of the schedule: a process killed, or a spell of Genesys misbehaving. */
export type ScheduledFault =
  | { kind: 'workerKill'; atSeconds: number; worker: number; restartAfterSeconds: number }
  | { kind: 'serverRestart'; atSeconds: number; downSeconds: number }
  | { kind: 'ingressRestart'; atSeconds: number; downSeconds: number }
  | {
      kind: 'genesysSpell';
      name: GenesysSpellName;
      atSeconds: number;
      durationSeconds: number;
      rules: FaultRuleInput[];
      /** Revoke every token as the spell starts, so the workers must log in through it. */
      revokeTokens?: boolean;
    };

/** The Genesys spells a run plays, once each. */
export type GenesysSpellName =
  'errors5xx' | 'rateLimited429' | 'latencySpikes' | 'droppedConnections' | 'tokenOutage';

/** Length of a run at which faults take their full-scale timings (the 10 minutes). */
const fullScaleSeconds = 600;

/** The shortest gap between two worker kills: a restarted worker needs a few seconds to load. */
const shortestKillGapSeconds = 25;

/** Every fault of a run of `seconds`, by time. */
export function chaosSchedule(seconds: number, seed: number, workers: number): ScheduledFault[] {
  const random = seededRandom(seed);
  const scale = Math.min(1, seconds / fullScaleSeconds);
  const spell = (fullSeconds: number, shortest: number) =>
    Math.max(shortest, Math.round(fullSeconds * scale));
  // One-off faults spread over the run so each one's minute after can be told apart; a little jitter each.
  const at = (share: number) => Math.round(seconds * (share + (random() - 0.5) * 0.04));
  const faults: ScheduledFault[] = [
    genesysSpell('errors5xx', at(0.1), spell(60, 12), [{ path: '/api/', status: 503, rate: 0.3 }]),
    { kind: 'serverRestart', atSeconds: at(0.3), downSeconds: between(random, 3, 6) },
    genesysSpell('rateLimited429', at(0.4), spell(60, 10), [
      { path: '/api/', status: 429, rate: 0.1, retryAfterSeconds: 2 },
    ]),
    { kind: 'ingressRestart', atSeconds: at(0.5), downSeconds: between(random, 2, 5) },
    genesysSpell('latencySpikes', at(0.6), spell(60, 10), [{ path: '/api/', latencyMs: 2_000, rate: 0.2 }]),
    genesysSpell('droppedConnections', at(0.7), spell(45, 8), [{ path: '/api/', drop: true, rate: 0.05 }]),
    {
      ...genesysSpell('tokenOutage', at(0.8), spell(30, 6), [{ path: '/oauth/token', status: 503 }]),
      revokeTokens: true,
    },
  ];
  faults.push(...workerKills(random, seconds, scale, workers));
  return faults.sort((a, b) => a.atSeconds - b.atSeconds);
}

/** A worker SIGKILLed every 60–90 s (scaled, never closer than 25 s), the workers taking turns. */
function workerKills(random: Random, seconds: number, scale: number, workers: number): ScheduledFault[] {
  const kills: ScheduledFault[] = [];
  const gap = () => Math.max(shortestKillGapSeconds, Math.round(between(random, 60, 90) * scale));
  // The last kill leaves time for its restart before the load ends.
  for (let atSeconds = gap(); atSeconds < seconds - 10; atSeconds += gap()) {
    kills.push({
      kind: 'workerKill',
      atSeconds,
      worker: kills.length % workers,
      restartAfterSeconds: between(random, 2, 5),
    });
  }
  return kills;
}

function genesysSpell(
  name: GenesysSpellName,
  atSeconds: number,
  durationSeconds: number,
  rules: FaultRuleInput[],
): Extract<ScheduledFault, { kind: 'genesysSpell' }> {
  return { kind: 'genesysSpell', name, atSeconds, durationSeconds, rules };
}

function between(random: Random, from: number, to: number): number {
  return Math.round(from + random() * (to - from));
}

/** The simulator's fault rules in force at `atSeconds`: those of every spell then under way. */
export function rulesAt(schedule: readonly ScheduledFault[], atSeconds: number): FaultRuleInput[] {
  return schedule.flatMap((fault) =>
    fault.kind === 'genesysSpell' &&
    fault.atSeconds <= atSeconds &&
    atSeconds < fault.atSeconds + fault.durationSeconds
      ? fault.rules
      : [],
  );
}

/** A fault's name in the report: its kind, and which spell or worker. */
export function faultName(fault: ScheduledFault): string {
  if (fault.kind === 'genesysSpell') return `genesys ${fault.name}`;
  if (fault.kind === 'workerKill') return `worker ${fault.worker} SIGKILL`;
  return fault.kind === 'serverRestart' ? 'Temporal dev server restart' : 'ingress SIGKILL';
}
