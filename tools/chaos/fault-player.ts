/**
 * Plays a fault schedule against the running stack: kills and restarts processes at their times, and
 * replaces the simulator's fault plan whenever a Genesys spell begins or ends. Notes when each fault
 * actually happened, for the report.
 */
import axios from 'axios';
import { z } from 'zod';
import { faultName, rulesAt, type ScheduledFault } from './schedule';
import { log } from './log';
import type { ChaosStack } from './stack';

/** One fault as it happened. */
export interface InjectedFault {
  name: string;
  /** Seconds after the load began. */
  atSeconds: number;
  at: string;
  /** How long the fault lasted (down time, spell), in seconds. */
  forSeconds: number;
  /** A Genesys spell: the requests the simulator faulted while it was on (overlapping spells share them). */
  requestsHit?: number;
}

const injectedSchema = z.object({
  injected: z.object({ statuses: z.number(), drops: z.number(), delays: z.number() }),
});

/** Requests the simulator has faulted so far. */
async function faultedSoFar(simulatorUrl: string): Promise<number> {
  const { injected } = injectedSchema.parse((await axios.get(`${simulatorUrl}/__simulator/faults`)).data);
  return injected.statuses + injected.drops + injected.delays;
}

/** Plays `schedule` from `startedAt`; resolves with what was injected once the last fault is over. */
export async function playFaults(
  stack: ChaosStack,
  schedule: readonly ScheduledFault[],
  startedAt: number,
  seed: number,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  const untilSecond = (atSeconds: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + atSeconds * 1_000 - Date.now())));
  const note = (fault: ScheduledFault, forSeconds: number): InjectedFault => {
    const atSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
    const entry = { name: faultName(fault), atSeconds, at: new Date().toISOString(), forSeconds };
    injected.push(entry);
    log(`t=${atSeconds} s: ${faultName(fault)} (${forSeconds} s)`);
    return entry;
  };
  // The simulator's plan changes whenever a spell begins or ends: one timeline of plan changes.
  const changes = [
    ...new Set(
      schedule.flatMap((fault) =>
        fault.kind === 'genesysSpell' ? [fault.atSeconds, fault.atSeconds + fault.durationSeconds] : [],
      ),
    ),
  ].sort((a, b) => a - b);
  const spells = (async () => {
    // Spells under way, each with when it ends; what the simulator faulted meanwhile is theirs.
    const on = new Map<InjectedFault, number>();
    let faulted = await faultedSoFar(stack.simulatorUrl);
    for (const atSeconds of changes) {
      await untilSecond(atSeconds);
      const now = await faultedSoFar(stack.simulatorUrl);
      for (const [entry, endsAt] of on) {
        entry.requestsHit = (entry.requestsHit ?? 0) + now - faulted;
        if (endsAt <= atSeconds) on.delete(entry);
      }
      faulted = now;
      await axios.put(`${stack.simulatorUrl}/__simulator/faults`, {
        seed,
        rules: rulesAt(schedule, atSeconds),
      });
      for (const fault of schedule) {
        if (fault.kind !== 'genesysSpell' || fault.atSeconds !== atSeconds) continue;
        if (fault.revokeTokens) await axios.post(`${stack.simulatorUrl}/__simulator/tokens/revoke`, {});
        on.set(note(fault, fault.durationSeconds), fault.atSeconds + fault.durationSeconds);
      }
    }
  })();
  const processes = (async () => {
    for (const fault of schedule) {
      if (fault.kind === 'genesysSpell') continue;
      await untilSecond(fault.atSeconds);
      if (fault.kind === 'workerKill') {
        stack.killWorker(fault.worker);
        note(fault, fault.restartAfterSeconds);
        await sleep(fault.restartAfterSeconds * 1_000);
        stack.startWorker(fault.worker);
      } else if (fault.kind === 'serverRestart') {
        await stack.stopServer();
        note(fault, fault.downSeconds);
        await sleep(fault.downSeconds * 1_000);
        await stack.startServer();
      } else {
        stack.killIngress();
        note(fault, fault.downSeconds);
        await sleep(fault.downSeconds * 1_000);
        await stack.startIngress();
      }
    }
  })();
  await Promise.all([spells, processes]);
  return injected.sort((a, b) => a.atSeconds - b.atSeconds);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
