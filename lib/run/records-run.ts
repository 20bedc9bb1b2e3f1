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
  sink?: Pick<SinkTargets, 'onError' | 'idPath' | 'provenance' | 'journal' | 'lineSource'>;
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
  let writeFailure: string | null = null;
  o.outputs.output.on('error', (err: NodeJS.ErrnoException) => {
    // stdout closed early (`| head`) is normal; a file that cannot be written is not.
    if ((err.code === 'EPIPE' && o.outputs.outputName === 'stdout') || err.code === 'ERR_STREAM_DESTROYED') outputClosed.abort();
    else writeFailure ??= `cannot write ${o.outputs.outputName}: ${describeIoError(err)}`;
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
  // A failed write may be reported only once the stream has closed: look at it too.
  const outputError = o.outputs.output.errored as NodeJS.ErrnoException | null;
  if (writeFailure === null && outputError && !outputClosed.signal.aborted) writeFailure = `cannot write ${o.outputs.outputName}: ${describeIoError(outputError)}`;
  if (writeFailure === null && failure !== null) {
    // Stopped for another reason (a model down, --fail-fast): what was written is worth reading.
    await o.outputs.keepWhatWasWritten();
    return { ok: false, opening: false, message: describeIoError(failure) };
  }
  if (writeFailure === null) {
    try {
      await o.outputs.commit();
      return { ok: true };
    } catch (err) {
      writeFailure = `cannot write ${describeIoError(err as Error)}`;
    }
  }
  // What was written is incomplete and the disk may be full: the temporary files go.
  await o.outputs.abort();
  return { ok: false, opening: false, message: writeFailure };
}

export function describeIoError(err: Error): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && e.path) return `${e.code}: ${e.path}`;
  if (!e.code) return e.message;
  return e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`;
}
