import h from 'highland';
import type { Batch } from '../record/item.js';
import type { RunStats } from '../metrics/run-stats.js';

/**
 * `--generate N`: N empty records `{id: 0}` … `{id: N-1}`, for graphs that start from a
 * sampler. Made a batch at a time, only as fast as downstream pulls.
 */
export function generatedSource(count: number, entry: string | null, stats: RunStats, stop: AbortSignal, batchSize = 1024): Highland.Stream<Batch> {
  let next = 0;
  return h<Batch>((push, pull) => {
    if (next >= count || stop.aborted) {
      push(null, h.nil);
      return;
    }
    const batch: Batch = [];
    const end = Math.min(count, next + batchSize);
    for (; next < end; next++) batch.push({ seq: next, line: next + 1, record: { id: next }, route: entry });
    stats.admitted(batch.length);
    push(null, batch);
    pull();
  });
}
