/**
 * Plays a fault schedule against the running stack: kills and restarts processes at their times, and
 * replaces the simulator's fault plan whenever a Genesys spell begins or ends. Notes when each fault
 * actually happened, for the report.
 */
import axios from 'axios';
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
  const note = (fault: ScheduledFault, forSeconds: number) => {
    const atSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
    injected.push({ name: faultName(fault), atSeconds, at: new Date().toISOString(), forSeconds });
    log(`t=${atSeconds} s: ${faultName(fault)} (${forSeconds} s)`);
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
    for (const atSeconds of changes) {
      await untilSecond(atSeconds);
      await axios.put(`${stack.simulatorUrl}/__simulator/faults`, {
        seed,
        rules: rulesAt(schedule, atSeconds),
      });
      for (const fault of schedule) {
        if (fault.kind !== 'genesysSpell' || fault.atSeconds !== atSeconds) continue;
        if (fault.revokeTokens) await axios.post(`${stack.simulatorUrl}/__simulator/tokens/revoke`, {});
        note(fault, fault.durationSeconds);
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
