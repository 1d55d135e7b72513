/**
 * The soak's report: memory over the hour per process (a table and a chart each), the agents' carried
 * state, and a projection of a full day's steady state against the machine, beside the bench's own
 * summary of the load. Pure: the run measures, this judges and writes the words.
 */
import os from 'node:os';
import type { BenchReport } from '../bench/report';
import { summaryOf } from '../bench/summary';
import type { CarriedStateSample, IdFootprint } from './agent-state';
import type { MemorySample } from './memory';

/** Everything the soak measured. */
export interface SoakMeasurements {
  bench: BenchReport;
  samples: MemorySample[];
  carried: CarriedStateSample;
  footprint: IdFootprint;
}

/** One process over the soak. */
export interface ProcessTrend {
  firstMiB: number;
  lastMiB: number;
  peakMiB: number;
  /** Least-squares slope of RSS over the second half of the soak (after warm-up), MiB an hour. */
  growthMiBPerHour: number;
}

/** What the soak found. */
export interface SoakReport {
  ranAt: string;
  minutes: number;
  bench: BenchReport;
  samples: MemorySample[];
  trends: Record<string, ProcessTrend>;
  carried: CarriedStateSample;
  footprint: IdFootprint;
  projection: DayProjection;
}

/** A full day at the same rate: what the agents' state grows to, and the worker with it. */
export interface DayProjection {
  /** Presence and routing-status events an agent gets in a day at the soak's rate. */
  idsPerAgentPerDay: number;
  /** One agent's carried state after a day (JSON bytes): the continue-as-new input, and what the cache holds. */
  carriedBytesPerAgent: number;
  /** Every agent's remembered ids in the worker's heap after a day (compact set). */
  idsHeapMiB: number;
  /** The same with the map of ids to times the compact set replaced. */
  idsHeapMiBWithMap: number;
  /** The worker's RSS after a day from the ids still to come alone: its last reading plus them. */
  workerRssFromIdsMiB: number;
  /**
   * The worker's RSS after a day if it went on growing as in the second half of the soak (at least by the
   * ids still to come): the conservative figure the verdict uses, as an hour cannot tell a heap V8 has not
   * collected yet from one that leaks.
   */
  workerRssMiB: number;
  /** Every process of the stack after a day (the others taken at their last reading plus their growth). */
  stackRssMiB: number;
  machineMiB: number;
  fits: boolean;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Least-squares slope of `points` (x seconds, y MiB), in MiB an hour. */
function slopePerHour(points: { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  const covariance = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0);
  const variance = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
  return variance === 0 ? 0 : (covariance / variance) * 3_600;
}

function trendOf(samples: MemorySample[], name: string): ProcessTrend {
  const points = samples.map((sample) => ({ x: sample.atSeconds, y: sample.processes[name]!.rssMiB }));
  const secondHalf = points.slice(Math.floor(points.length / 2));
  return {
    firstMiB: points[0]!.y,
    lastMiB: points.at(-1)!.y,
    peakMiB: Math.max(...points.map((point) => point.y)),
    growthMiBPerHour: round(slopePerHour(secondHalf)),
  };
}

/** Judges the soak's measurements. */
export function buildSoakReport(measured: SoakMeasurements): SoakReport {
  const { bench, samples, carried, footprint } = measured;
  const names = Object.keys(samples[0]!.processes);
  const trends = Object.fromEntries(names.map((name) => [name, trendOf(samples, name)]));
  const { agents, presencePerMinute } = bench.settings;
  // Every presence change comes with its routing-status change: two ids a change.
  const idsPerAgentPerDay = Math.round((presencePerMinute * 2 * 1_440) / agents);
  const idsToCome = Math.max(0, idsPerAgentPerDay - carried.eventIds.mean);
  const toMiB = (bytes: number) => bytes / 2 ** 20;
  const idsHeapMiB = toMiB(agents * idsPerAgentPerDay * footprint.compactHeapBytesPerId);
  const hoursToCome = 24 - samples.at(-1)!.atSeconds / 3_600;
  const idsToComeMiB = toMiB(agents * idsToCome * footprint.compactHeapBytesPerId);
  const worker = trends.worker!;
  const workerRssMiB =
    worker.lastMiB + Math.max(idsToComeMiB, Math.max(0, worker.growthMiBPerHour) * hoursToCome);
  // The other processes hold no per-agent state that grows with the window: their own trend, for a day.
  const others = names
    .filter((name) => name !== 'worker' && name !== 'simulator')
    .reduce(
      (sum, name) => sum + trends[name]!.lastMiB + Math.max(0, trends[name]!.growthMiBPerHour) * hoursToCome,
      0,
    );
  const machineMiB = Math.round(os.totalmem() / 2 ** 20);
  const stackRssMiB = workerRssMiB + others;
  return {
    ranAt: bench.ranAt,
    minutes: round(samples.at(-1)!.atSeconds / 60),
    bench,
    samples,
    trends,
    carried,
    footprint,
    projection: {
      idsPerAgentPerDay,
      carriedBytesPerAgent: Math.round(carried.bytes.mean + idsToCome * footprint.compactJsonBytesPerId),
      idsHeapMiB: round(idsHeapMiB),
      idsHeapMiBWithMap: round(toMiB(agents * idsPerAgentPerDay * footprint.mapHeapBytesPerId)),
      workerRssFromIdsMiB: Math.round(worker.lastMiB + idsToComeMiB),
      workerRssMiB: Math.round(workerRssMiB),
      stackRssMiB: Math.round(stackRssMiB),
      machineMiB,
      // Half the machine: the rest is the operating system's, the simulator's here, and headroom.
      fits: stackRssMiB < machineMiB / 2,
    },
  };
}

/** A Mermaid line chart of one process's RSS (GitHub renders it in the Markdown). */
function chartOf(samples: MemorySample[], name: string): string[] {
  const values = samples.map((sample) => sample.processes[name]!.rssMiB);
  const top = Math.ceil((Math.max(...values) * 1.1) / 100) * 100;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${name}: resident memory (MiB) by minute"`,
    `  x-axis "minute" [${samples.map((sample) => Math.round(sample.atSeconds / 60)).join(', ')}]`,
    `  y-axis "MiB" 0 --> ${top}`,
    `  line [${values.join(', ')}]`,
    '```',
  ];
}

/** The readable report. */
export function soakSummary(report: SoakReport): string {
  const { projection: day, carried, footprint } = report;
  const names = Object.keys(report.trends);
  const lines = [
    `# Soak: ${Math.round(report.bench.durations.playedSeconds / 60)} minutes of the load`,
    '',
    `${report.ranAt}: ${report.bench.settings.agents} agents, ${report.bench.settings.presencePerMinute} presence changes/min ` +
      `(each with its routing-status change), ${report.bench.settings.interactionsPerSecond} interactions/s; ` +
      `memory sampled for ${report.minutes} minutes, from the load's start to the bridge settled after it. Day projection: **${day.fits ? 'fits' : 'DOES NOT FIT'}** the machine ` +
      `(${day.stackRssMiB} MiB of ${day.machineMiB} MiB).`,
    '',
    '## Memory',
    '',
    '| process | first RSS | last RSS | peak RSS | growth (second half) |',
    '|---|---|---|---|---|',
    ...names.map((name) => {
      const trend = report.trends[name]!;
      return `| ${name} | ${trend.firstMiB} MiB | ${trend.lastMiB} MiB | ${trend.peakMiB} MiB | ${trend.growthMiBPerHour} MiB/h |`;
    }),
    '',
    'Main-thread V8 heap in use (the workflow threads’ heaps are in the worker’s RSS):',
    '',
    `| minute | ${names.map((name) => `${name} RSS`).join(' | ')} | worker heap | ingress heap |`,
    `|---|${names.map(() => '---|').join('')}---|---|`,
    ...report.samples.map(
      (sample) =>
        `| ${Math.round(sample.atSeconds / 60)} | ${names.map((name) => sample.processes[name]!.rssMiB).join(' | ')} | ` +
        `${sample.processes.worker?.heapUsedMiB ?? '—'} | ${sample.processes.ingress?.heapUsedMiB ?? '—'} |`,
    ),
    '',
    ...names.flatMap((name) => [...chartOf(report.samples, name), '']),
    '## The agents’ state and a full day',
    '',
    `Sampled ${carried.agents} running agent workflows at the end: each remembers ${carried.eventIds.mean} eventIds on average ` +
      `(at most ${carried.eventIds.max}); the state that crosses continue-as-new is ${carried.bytes.mean} bytes on average ` +
      `(at most ${carried.bytes.max}). Their current runs are ${carried.historyEvents.mean} history events long on average ` +
      `(at most ${carried.historyEvents.max}); an agent continues as new after ${report.bench.settings.agentHistoryEvents}, ` +
      'and its run’s state machines stay in the worker’s cache until then.',
    '',
    `A remembered id costs ${footprint.compactHeapBytesPerId} bytes of heap and ${footprint.compactJsonBytesPerId} bytes of JSON in the ` +
      `compact set (workflows/seen-ids.ts), against ${footprint.mapHeapBytesPerId} and ${footprint.mapJsonBytesPerId} in the map of ids to ` +
      'times it replaced (measured in the soak’s own process, 1,000 agents of a day each, after a full garbage collection).',
    '',
    `At this rate an agent gets ${day.idsPerAgentPerDay} presence and routing events a day, all remembered for the 24 h window:`,
    '',
    '| after a full day | |',
    '|---|---|',
    `| one agent’s carried state (continue-as-new input) | ${day.carriedBytesPerAgent} bytes |`,
    `| every agent’s ids in the worker’s heap | ${day.idsHeapMiB} MiB (the map: ${day.idsHeapMiBWithMap} MiB) |`,
    `| the worker’s RSS, from the ids still to come | ${day.workerRssFromIdsMiB} MiB |`,
    `| the worker’s RSS, growing all day as in the second half of the soak | ${day.workerRssMiB} MiB |`,
    `| the bridge’s processes (worker, ingress, Temporal), each growing as in the soak | ${day.stackRssMiB} MiB |`,
    `| the machine | ${day.machineMiB} MiB; fits within half: ${day.fits ? 'yes' : 'NO'} |`,
    '',
    '## The load',
    '',
    summaryOf(report.bench).replace(/^# /m, '### '),
  ];
  return lines.join('\n');
}
