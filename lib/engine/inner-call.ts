import type { NodeStats, RunStats } from '../metrics/run-stats.js';

/** One call of a node inside a composite one; `leave` ends it. */
export interface InnerCall {
  readonly counts: NodeStats;
  leave(failed: boolean): void;
}

/**
 * Starts a call of a node inside a composite one (a loop, a fan-out's branch) for one
 * record, counted under the inner node's own name in --stats: records in, errors, time and
 * latency (taken when `leave` is called, after an async node's promise settles).
 */
export function enterInner(stats: RunStats, name: string): InnerCall {
  const counts = stats.node(name);
  counts.in++;
  const began = performance.now();
  return {
    counts,
    leave(failed) {
      if (failed) counts.errors++;
      const elapsed = performance.now() - began;
      counts.time_ms += elapsed;
      stats.latency(name).record(elapsed);
    },
  };
}
