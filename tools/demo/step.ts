/** The main job's console: one line a step, marked apart from anything else; each step also goes to the run log. */
import type { Logger } from 'pino';

let runLog: Logger | undefined;

/** Prints a step of the main job (and logs it, once {@link logStepsTo} named the run log's logger). */
export function step(message: string): void {
  console.log(`[byoi-bridge] ${message}`);
  runLog?.info({ step: message }, message);
}

/** Makes every step a line of the run log too, so the log tells the run's story around what it holds. */
export function logStepsTo(logger: Logger): void {
  runLog = logger;
}
