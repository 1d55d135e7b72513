/**
 * CPU time and memory of running processes (with their children) from Linux's /proc, for the benchmark:
 * a sampler reads each watched process tree every second, keeping the CPU seconds used since it started
 * and the peak resident memory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks a second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

interface Reading {
  cpuSeconds: number;
  rssBytes: number;
}

/** `pid` and every process below it. */
function tree(pid: number): number[] {
  const pids = [pid];
  for (let index = 0; index < pids.length; index++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pids[index]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${pids[index]}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      } catch {
        // The task ended while being read.
      }
    }
  }
  return pids;
}

/** CPU seconds used so far and resident memory now of `pid` and its children (zero once gone). */
export function readUsage(pid: number, withChildren = true): Reading {
  let cpuSeconds = 0;
  let rssBytes = 0;
  for (const each of withChildren ? tree(pid) : [pid]) {
    try {
      // Fields after the command (which may hold spaces) start at the last ')': utime, stime, then
      // cutime and cstime, the time of children already waited for (gone from the tree, not lost).
      const stat = readFileSync(`/proc/${each}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, ...(withChildren ? [13, 14] : [])].reduce(
        (sum, at) => sum + Number(fields[at]),
        0,
      );
      cpuSeconds += ticks / ticksPerSecond;
      const status = readFileSync(`/proc/${each}/status`, 'utf8');
      rssBytes += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1_024;
    } catch {
      // The process ended while being read.
    }
  }
  return { cpuSeconds, rssBytes };
}

/** What one watched process used between `start` and `stop`. */
export interface ProcessUsage {
  pid: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Watches named processes every `intervalMs` until stopped. */
export class UsageSampler {
  private readonly started = new Map<
    string,
    { pid: number; withChildren: boolean; startCpuSeconds: number; lastCpuSeconds: number; peakRss: number }
  >();
  private readonly timer: NodeJS.Timeout;

  /** `processes` by name; those named in `alone` are read without their children. */
  constructor(processes: Record<string, number>, alone: string[] = [], intervalMs = 1_000) {
    for (const [name, pid] of Object.entries(processes)) {
      const withChildren = !alone.includes(name);
      const reading = readUsage(pid, withChildren);
      this.started.set(name, {
        pid,
        withChildren,
        startCpuSeconds: reading.cpuSeconds,
        lastCpuSeconds: reading.cpuSeconds,
        peakRss: reading.rssBytes,
      });
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const watched of this.started.values()) {
      const reading = readUsage(watched.pid, watched.withChildren);
      watched.peakRss = Math.max(watched.peakRss, reading.rssBytes);
      // Once the process has gone its counters read zero: its last reading stands.
      watched.lastCpuSeconds = Math.max(watched.lastCpuSeconds, reading.cpuSeconds);
    }
  }

  /** CPU seconds since the sampler started and peak memory, per process; the sampler keeps running. */
  usage(): Record<string, ProcessUsage> {
    this.sample();
    return Object.fromEntries(
      [...this.started].map(([name, watched]) => [
        name,
        {
          pid: watched.pid,
          cpuSeconds: Number((watched.lastCpuSeconds - watched.startCpuSeconds).toFixed(2)),
          peakRssMiB: Math.round(watched.peakRss / 2 ** 20),
        },
      ]),
    );
  }

  stop(): Record<string, ProcessUsage> {
    const usage = this.usage();
    clearInterval(this.timer);
    return usage;
  }
}

/** One function's share of a CPU profile. */
export interface ProfileEntry {
  function: string;
  /** Where it lives: a project file, or the package it comes from. */
  where: string;
  selfPercent: number;
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  samples?: number[];
}

/**
 * The functions that used most of a JavaScript thread in its V8 profile (`node --cpu-prof` writes one
 * per thread), by self time, and the busy time by package: `node_modules/<package>`, `node:` internals,
 * the project's own files, or the engine itself (garbage collection, native code). Native threads (the
 * Temporal core's, GC helpers) are in no V8 profile: the process's CPU time minus the JavaScript
 * threads' busy time is theirs.
 */
export function summariseProfile(
  profile: CpuProfile,
  top = 20,
): { busyPercent: number; functions: ProfileEntry[]; byPlace: Record<string, number> } {
  // Shares are of the thread's busy samples: idle ones are the event loop waiting.
  const idle = profile.nodes
    .filter((node) => node.callFrame.functionName === '(idle)')
    .reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const all = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const total = all - idle || 1;
  const functions = new Map<string, ProfileEntry & { hits: number }>();
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = placeOf(url);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(name) ?? { function: name, where, selfPercent: 0, hits: 0 };
    entry.hits += hits;
    functions.set(name, entry);
    byPlace.set(where, (byPlace.get(where) ?? 0) + hits);
  }
  const percent = (hits: number) => Number(((hits / total) * 100).toFixed(1));
  return {
    busyPercent: Number((((all - idle) / (all || 1)) * 100).toFixed(1)),
    functions: [...functions.values()]
      .sort((a, b) => b.hits - a.hits)
      .slice(0, top)
      .map(({ hits, ...entry }) => ({ ...entry, selfPercent: percent(hits) })),
    byPlace: Object.fromEntries(
      [...byPlace].sort((a, b) => b[1] - a[1]).map(([place, hits]) => [place, percent(hits)]),
    ),
  };
}

function placeOf(url: string): string {
  if (url === '') return 'engine (GC, native)';
  if (url.startsWith('node:')) return 'node internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  return url.includes('/workflows/') || url.includes('workflow-bundle') ? 'workflow code' : 'project';
}

function shortUrl(url: string): string {
  const index = url.lastIndexOf('node_modules/');
  return index >= 0
    ? url.slice(index + 'node_modules/'.length)
    : url.replace(/^file:\/\/.*?\/(workflows|activities|workers|client|simulator|scripts)\//, '$1/');
}

/** The machine a benchmark ran on, for its report. */
export function machine() {
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
