/** Latency statistics the benchmarks share, and the distribution the report charts. */

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

/**
 * A latency distribution as the report stores and charts it: the value at each of `POINTS`
 * percentiles (finer in the tail), rounded to 0.01 ms. Empty when there were no samples.
 */
export const POINTS = [
  0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92, 94, 95, 96, 97, 98, 99, 99.5, 99.9, 100,
];
export interface Distribution {
  label: string;
  unit: 'ms';
  points: { p: number; v: number }[];
}

export function distribution(label: string, values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    label,
    unit: 'ms',
    points: sorted.length
      ? POINTS.map((p) => ({
          p,
          v: Math.round((p === 0 ? sorted[0]! : percentile(sorted, p)) * 100) / 100,
        }))
      : [],
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
