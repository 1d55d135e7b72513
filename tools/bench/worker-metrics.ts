/**
 * What the bench reads from the worker itself: its Temporal and bridge metrics scraped from the
 * Prometheus endpoint, and the CPU profiles `--profile` has it write, both boiled down for the report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { summariseProfile } from '../stack/process-usage';

/** One JavaScript thread's CPU profile, summarised, with the thread it ran on. */
export type ThreadProfile = ReturnType<typeof summariseProfile> & { thread: string };

/**
 * The worker's CPU profiles (`--cpu-prof` writes one per JavaScript thread into `folder`, named
 * `CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`; thread 0 is the main one, the others run workflows),
 * summarised, main thread first.
 */
export function workerProfiles(folder: string): ThreadProfile[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ name, thread: Number(name.split('.')[4]) }))
    .sort((a, b) => a.thread - b.thread)
    .map(({ name, thread }) => ({
      thread: thread === 0 ? 'main' : `workflow thread ${thread}`,
      ...summariseProfile(
        JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as Parameters<typeof summariseProfile>[0],
      ),
    }));
}

/**
 * The worker's Temporal metrics (Prometheus text) boiled down for the profile: every latency histogram
 * as count and mean, and the sticky-cache counters, summed over their labels.
 */
export async function workerMetrics(url: string): Promise<Record<string, number>> {
  const text = (await axios.get<string>(url, { responseType: 'text' })).data;
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || !/(latency.*_(sum|count)|sticky_cache_(hit|miss|size)|_total)$/.test(match[1]!)) continue;
    sums.set(match[1]!, (sums.get(match[1]!) ?? 0) + Number(match[2]));
  }
  const figures: Record<string, number> = {};
  // What the workflows counted as duplicates: events handed over twice.
  figures.workflowDuplicates = 0;
  for (const line of text.split('\n')) {
    const match =
      /^byoi_(agent|conversation)_events_total\{[^}]*outcome="duplicates"[^}]*\} ([0-9.e+-]+)$/.exec(line);
    if (match) figures.workflowDuplicates += Number(match[2]);
  }
  for (const [name, value] of sums) {
    if (name.endsWith('_count')) continue;
    if (name.endsWith('_sum')) {
      const base = name.slice(0, -'_sum'.length);
      const count = sums.get(`${base}_count`) ?? 0;
      figures[`${base}_count`] = count;
      figures[`${base}_mean`] = Number((count === 0 ? 0 : value / count).toFixed(4));
    } else figures[name] = value;
  }
  return figures;
}
