/**
 * The main job's log: one file per run, `<BYOI_DATA_DIR>/logs/demo-<time>.log`, that takes everything
 * the console does not — the main job's own structured logs and the Temporal runtime's (through the
 * product's logger), and the output of every process it starts (the dev server, the worker) — so that
 * the console keeps to the main job's progress and report. The last {@link keptRuns} runs' logs are kept.
 */
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { BridgeConfig } from '../../config';
import { createLogger } from '../../config/logger';

/** How many runs' logs stay in the folder (this one included). */
export const keptRuns = 10;

/** One run's log file. */
export interface RunLog {
  /** The file, as the console names it. */
  file: string;
  /** The main job's own logger, writing into the file (the Temporal runtime's logs go through it too). */
  logger: Logger;
  /** A descriptor appending to the file, for a child process's stdout and stderr; close it once spawned. */
  forChild(): number;
  /**
   * The file's last lines that are not steps (the console has those), each as a person reads it, for the
   * console when something failed.
   */
  tail(lines?: number): string;
}

/** Where the main job's run logs are. */
export function runLogFolder(config: Pick<BridgeConfig, 'dataDir'>): string {
  return path.join(config.dataDir, 'logs');
}

/**
 * Opens this run's log, removing the oldest runs' beyond {@link keptRuns}, and routes the process's
 * logger and the Temporal runtime's logs into it.
 */
export function openRunLog(config: Pick<BridgeConfig, 'dataDir' | 'logLevel'>, now = new Date()): RunLog {
  const folder = runLogFolder(config);
  mkdirSync(folder, { recursive: true });
  // ISO time sorts by name; the process id keeps two runs started in the same millisecond apart.
  const name = `demo-${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`;
  const earlier = readdirSync(folder)
    .filter((each) => /^demo-.*\.log$/.test(each))
    .sort();
  for (const old of earlier.slice(0, Math.max(0, earlier.length - (keptRuns - 1)))) {
    rmSync(path.join(folder, old), { force: true });
  }
  const file = path.join(folder, name);
  const logger = createLogger(
    config.logLevel,
    'byoi-demo',
    undefined,
    // Synchronous: a line logged just before a crash is in the file the console points to.
    pino.destination({ dest: file, append: true, sync: true }),
  );
  return {
    file,
    logger,
    forChild: () => openSync(file, 'a'),
    tail: (lines = 20) => readableTail(file, lines),
  };
}

const pinoLevels: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** The last `lines` lines of a run log other than steps, structured ones as `name level: message`. */
export function readableTail(file: string, lines: number): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '  (nothing logged)';
  }
  const readable = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(readableLine)
    .filter((line): line is string => line !== undefined);
  return readable.slice(-lines).join('\n') || '  (nothing logged but the steps above)';
}

/** What the structured lines of a run log say: pino's (the main job's, the worker's) and the dev server's. */
const logLineSchema = z.object({
  name: z.string().optional(),
  level: z.union([z.number(), z.string()]).optional(),
  msg: z.string().optional(),
  step: z.string().optional(),
  err: z.object({ message: z.string() }).optional(),
  // The Temporal SDK's: what failed, and where.
  error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional(),
  activityType: z.string().optional(),
  workflowId: z.string().optional(),
});

/** One log line as a person reads it; undefined for a step. */
function readableLine(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `  ${line}`;
  }
  const entry = logLineSchema.safeParse(parsed);
  if (!entry.success) return `  ${line}`;
  const { name, level, msg, step, err, error, activityType, workflowId } = entry.data;
  if (step !== undefined) return undefined;
  const levelName = typeof level === 'number' ? (pinoLevels[level] ?? String(level)) : (level ?? '');
  const context = [activityType, workflowId, error?.type, error?.message ?? err?.message].filter(Boolean);
  return `  ${name ? `${name} ` : ''}${levelName}: ${msg ?? ''}${context.length > 0 ? ` (${context.join(', ')})` : ''}`;
}
