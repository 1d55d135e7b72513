/**
 * CPU time and memory of running processes (with their children) from Linux's /proc, for the benchmark:
 * a sampler reads each watched process tree every second, keeping the CPU seconds used since it started
 * and the peak resident memory.
 */
import { readFileSync, readdirSync } from 'node:fs';

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
