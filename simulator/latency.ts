/**
 * Latency summaries for the inspection API, the main job and the benchmark: nearest-rank percentiles of
 * a list of durations.
 */

/** The p-th percentile (0–100) of `values` (nearest rank), 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  return ofSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

function ofSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** How a set of durations (ms) is spread. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: ofSorted(sorted, 50),
    p95: ofSorted(sorted, 95),
    p99: ofSorted(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}
