/**
 * The soak's memory sampler: once a minute, every process of the stack — resident memory from Linux's
 * /proc (the worker's workflow threads and their V8 heaps included), and, for the Node processes that
 * serve metrics, the main thread's V8 heap from their `byoi_process_*_bytes` gauges.
 */
import axios from 'axios';
import { readUsage } from '../stack/process-usage';
import { namedProcesses, type NamedProcess } from '../bench/bridge';
import type { ObservedStack } from '../bench/run';

/** One process at one sample, in MiB. */
export interface ProcessMemory {
  rssMiB: number;
  /** The main thread's V8 heap in use, where the process reports it. */
  heapUsedMiB?: number;
}

/** One sample of every process. */
export interface MemorySample {
  /** Seconds since the load began. */
  atSeconds: number;
  processes: Record<string, ProcessMemory>;
}

const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

/** The value of `byoi_process_<name>_bytes` in a Prometheus text page, if it is there. */
export function gaugeOf(page: string, name: string): number | undefined {
  const match = new RegExp(`^byoi_process_${name}_bytes(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(page);
  return match ? Number(match[1]) : undefined;
}

async function heapUsedMiB(metricsUrl: string): Promise<number | undefined> {
  try {
    const page = (await axios.get<string>(metricsUrl, { responseType: 'text', timeout: 5_000 })).data;
    const bytes = gaugeOf(page, 'heap_used');
    return bytes === undefined ? undefined : mib(bytes);
  } catch {
    // A sample a busy process did not answer in time is a gap in its heap line, not a failed soak.
    return undefined;
  }
}

/** Samples every `intervalMs` from now until stopped; answers the samples. */
export function sampleMemory(
  stack: ObservedStack,
  intervalMs: number,
  onSample: (sample: MemorySample) => void,
): () => Promise<MemorySample[]> {
  const { bridge, simulator } = stack;
  const startedAt = Date.now();
  const samples: MemorySample[] = [];
  const watched: NamedProcess[] = [...namedProcesses(bridge), { name: 'simulator', pid: simulator.pid }];
  let taking: Promise<void> = Promise.resolve();
  const take = async () => {
    const processes: Record<string, ProcessMemory> = {};
    for (const { name, pid, metricsUrl } of watched) {
      const heap = metricsUrl ? await heapUsedMiB(metricsUrl) : undefined;
      processes[name] = {
        rssMiB: mib(readUsage(pid).rssBytes),
        ...(heap === undefined ? {} : { heapUsedMiB: heap }),
      };
    }
    const sample = { atSeconds: Math.round((Date.now() - startedAt) / 1_000), processes };
    samples.push(sample);
    onSample(sample);
  };
  const timer = setInterval(() => {
    taking = taking.then(take);
  }, intervalMs);
  taking = take();
  return async () => {
    clearInterval(timer);
    await taking;
    await take();
    return samples;
  };
}
