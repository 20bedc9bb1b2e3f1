import h from 'highland';
import type { Batch } from '../record/item.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { OasstConverter } from './convert.js';

/**
 * Turns a stream of OASST lines into conversation items routed to `entry`. The lines read
 * stop counting as records: the conversations made from them are the records.
 */
export function oasstStage(converter: OasstConverter, entry: string | null, stats: RunStats) {
  const admit = (out: Batch, consumed: number): Batch => {
    for (const item of out) if (!item.outcome) item.route = entry;
    stats.replaced(consumed, out.length);
    return out;
  };
  return (upstream: Highland.Stream<Batch>): Highland.Stream<Batch> =>
    upstream.consume<Batch>((err, batch, push, next) => {
      if (err) {
        push(err);
        next();
        return;
      }
      if (h.isNil(batch)) {
        const tail = admit(converter.end(), 0);
        if (tail.length > 0) push(null, tail);
        push(null, h.nil);
        return;
      }
      const out: Batch = [];
      for (const item of batch) for (const o of converter.push(item)) out.push(o);
      admit(out, batch.length);
      if (out.length > 0) push(null, out);
      next();
    });
}
