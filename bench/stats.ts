/** Small statistics for the benchmark: median, percentiles, and memory after a forced collection. */

/**
 * The p-th percentile (0–100) of the values, by nearest rank.
 *
 * @example
 * percentile([5, 1, 3], 50); // 3
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * The middle value (nearest rank).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Heap (JS + external buffers) and RSS in bytes, after full collections so only live memory counts. */
export interface Memory {
  heap: number;
  rss: number;
}

/**
 * Collects garbage a few times (needs `node --expose-gc`) and reads the memory in use.
 *
 * @example
 * const before = await settledMemory();
 */
export async function settledMemory(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("Run the benchmark with node --expose-gc (npm run bench does) so memory can be measured after a forced GC.");
  for (let round = 0; round < 4; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed + usage.external, rss: usage.rss };
}

/**
 * Rounds for display.
 *
 * @example
 * round(1.23456); // 1.23
 */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
