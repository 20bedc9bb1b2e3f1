import type { Readable } from 'node:stream';
import h from 'highland';
import type { Batch } from '../record/item.js';
import type { RunStats } from '../metrics/run-stats.js';
import { LineFramer } from './line-framer.js';

/**
 * A highland stream of batches read from `input`: one batch per chunk read, pulled only
 * when downstream asks, so a slow consumer stops the reads. Aborting `stop` ends the stream
 * at the next chunk boundary (SIGINT, --fail-fast, closed stdout). With `parseJson` false
 * (--threads), lines are numbered and checked here and parsed by the worker threads.
 */
export function batchSource(input: Readable, entry: string | null, stats: RunStats, stop: AbortSignal, parseJson = true, maxLineBytes?: number): Highland.Stream<Batch> {
  const framer = new LineFramer(entry, maxLineBytes, parseJson);
  let ended = false;
  let finished = false;
  let failure: Error | null = null;
  let resume: (() => void) | null = null;
  const wake = (): void => {
    const r = resume;
    resume = null;
    r?.();
  };
  input.on('readable', wake);
  input.once('end', () => {
    ended = true;
    wake();
  });
  input.once('error', (err) => {
    failure = err;
    wake();
  });
  stop.addEventListener('abort', wake, { once: true });

  return h<Batch>((push, next) => {
    const step = (): void => {
      if (finished) return;
      if (failure) {
        finished = true;
        push(failure);
        push(null, h.nil);
        return;
      }
      if (stop.aborted) {
        finished = true;
        input.destroy();
        push(null, h.nil);
        return;
      }
      const chunk = input.read() as Buffer | string | Array<Record<string, unknown>> | null;
      if (Array.isArray(chunk)) {
        // Records already parsed (a Parquet row group): items at once, one line each.
        if (chunk.length === 0) return step();
        const batch = chunk.map((record) => framer.item(record));
        stats.admitted(batch.length);
        push(null, batch);
        next();
        return;
      }
      if (chunk !== null) {
        stats.bytesIn += chunk.length;
        const batch = framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (batch.length === 0) return step();
        stats.admitted(batch.length);
        push(null, batch);
        next();
        return;
      }
      if (ended) {
        finished = true;
        const tail = framer.end();
        if (tail.length > 0) {
          stats.admitted(tail.length);
          push(null, tail);
        }
        push(null, h.nil);
        return;
      }
      resume = step;
    };
    step();
  });
}
