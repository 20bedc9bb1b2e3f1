import type { Readable } from 'node:stream';
import type { RunOutputs } from '../io/outputs.js';
import { drainToSink, type SinkTargets } from '../io/sink.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { Batch } from '../record/item.js';

export interface RecordsRunOptions {
  /** Opens the input (a file, decompressed, or stdin). */
  openInput: () => Promise<Readable>;
  outputs: RunOutputs;
  stats: RunStats;
  /** Aborting it stops the reading; the run also aborts it when the output closes or fails. */
  stopReading: AbortController;
  /** Batches of records read from the open input. */
  source: (input: Readable) => Highland.Stream<Batch>;
  /** What becomes of them: a graph's stages, an OASST conversion. */
  pipeline: (records: Highland.Stream<Batch>) => Highland.Stream<Batch>;
  sink?: Pick<SinkTargets, 'onError' | 'idPath' | 'provenance'>;
  /** Called once the input is open, before the first batch is read (a progress line starts). */
  started?: () => Promise<void>;
  /** Called once the last batch is written, before the files are committed (threads end, progress stops). */
  drained?: () => Promise<void>;
}

/** `opening`: the run failed before reading a record (an output or the input could not be opened). */
export type RecordsRunResult = { ok: true } | { ok: false; opening: boolean; message: string };

/**
 * The one runner, input → pipeline → output, of `run` and `oasst` (and, through its
 * outputs, `queue drain`): the same opening of files before the first record, the same
 * writer, the same handling of a closed stdout (`| head` is normal: stop quietly), and the
 * same end: files committed when all went well, kept as written when it did not.
 */
export async function runRecords(o: RecordsRunOptions): Promise<RecordsRunResult> {
  const outputClosed = new AbortController();
  let writeFailure: Error | null = null;
  o.outputs.output.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') outputClosed.abort();
    else writeFailure ??= err;
    o.stopReading.abort();
  });
  try {
    await o.outputs.ready();
  } catch (err) {
    return { ok: false, opening: true, message: `cannot open output: ${(err as Error).message}` };
  }
  let input: Readable;
  try {
    input = await o.openInput();
  } catch (err) {
    await o.outputs.abort();
    return { ok: false, opening: true, message: `cannot read input: ${(err as Error).message}` };
  }
  await o.started?.();
  let failure: Error | null = null;
  try {
    await drainToSink(o.pipeline(o.source(input)), {
      ...o.sink,
      output: o.outputs.output,
      errors: o.outputs.errors,
      rejected: o.outputs.rejected,
      stats: o.stats,
      closed: outputClosed.signal,
    });
  } catch (err) {
    failure = err as Error;
  }
  await o.drained?.();
  if (failure === null && writeFailure === null) {
    await o.outputs.commit().catch((err: Error) => {
      failure = err;
    });
  } else {
    await o.outputs.keepWhatWasWritten();
  }
  const broken = failure ?? writeFailure;
  return broken ? { ok: false, opening: false, message: describeIoError(broken) } : { ok: true };
}

export function describeIoError(err: Error): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && e.path) return `${e.code}: ${e.path}`;
  return e.code ? `${e.code}: ${e.message}` : e.message;
}
