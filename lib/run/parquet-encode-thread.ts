import type { MessagePort, Worker } from 'node:worker_threads';
import { type GroupEncoder, type ShreddedGroup, transferablesOf } from '../io/column-shredding.js';
import { parquetEncoderHere } from '../io/parquet-file.js';
import type { Shape } from '../io/parquet-schema.js';
import { endWorker } from './end-worker.js';
import { workerScript } from './worker-script.js';

/** What a Parquet-encoding worker thread is started with (see thread-worker.ts). */
export interface ParquetEncodeThreadData {
  kind: 'parquet-encode';
  path: string;
  shapes: Map<string, Shape>;
}

type ToWorker = { group: ShreddedGroup } | { finish: true } | { abort: true };
type FromWorker = { written: true } | { finished: true } | { aborted: true } | { error: string };

/**
 * A Parquet file encoded on a worker thread: the run's thread shreds each row group into
 * typed arrays of levels and values (UTF-8 text end to end, see column-shredding.ts) and
 * hands them over without a copy; the worker builds the pages, compresses them and writes
 * the file. On one thread, the pages and their compression took half of a run that writes
 * Parquet.
 */
export function parquetEncoderOnThread(file: { path: string; shapes: Map<string, Shape> }): GroupEncoder {
  // Loaded only now: node:worker_threads costs every other start a few milliseconds.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const data: ParquetEncodeThreadData = { kind: 'parquet-encode', path: file.path, shapes: file.shapes };
  const worker: Worker = new Worker(workerScript(), { workerData: data, stdout: false, stderr: false });
  /** Answers awaited, in the order the messages were sent. */
  const waiting: Array<{ resolve(): void; reject(err: Error): void }> = [];
  let failure: Error | null = null;
  let stopped = false;
  const fail = (err: Error): void => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (message: FromWorker) => {
    if ('error' in message) return fail(new Error(message.error));
    waiting.shift()?.resolve();
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!stopped) fail(new Error(`the Parquet encoder thread exited with code ${code}`));
  });
  const send = (message: ToWorker, transfer: ArrayBuffer[] = []): Promise<void> => {
    if (failure) return Promise.reject(failure);
    const answered = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    worker.postMessage(message, transfer);
    return answered;
  };
  let previous: Promise<void> = Promise.resolve();
  /** Ends the thread: on its own once it has answered everything (`idle`), else stopped. */
  const stop = async (idle: boolean): Promise<void> => {
    stopped = true;
    await endWorker(worker, idle && failure === null);
  };
  return {
    write(group) {
      const before = previous;
      previous = send({ group }, transferablesOf(group));
      // Unhandled until awaited by the next write or finish: noted there.
      previous.catch(() => undefined);
      return before;
    },
    async finish() {
      await previous;
      await send({ finish: true });
      await stop(true);
    },
    async abort() {
      // Idle once it has answered the abort; stopped otherwise.
      let answered = false;
      if (!stopped && !failure)
        answered = await send({ abort: true }).then(
          () => true,
          () => false,
        );
      await stop(answered);
    },
  };
}

/** The worker side: each group encoded and written as it comes, answered once done. */
export function serveParquetEncode(port: MessagePort, data: ParquetEncodeThreadData): void {
  const opened = parquetEncoderHere({ path: data.path, shapes: data.shapes });
  let work: Promise<unknown> = opened;
  const reply = (message: FromWorker): void => port.postMessage(message);
  const fail = (err: unknown): void => reply({ error: (err as Error).message });
  port.on('message', (message: ToWorker) => {
    work = work.then(async () => {
      const encoder = await opened;
      if ('group' in message) {
        await encoder.write(message.group);
        reply({ written: true });
      } else if ('finish' in message) {
        await encoder.finish();
        reply({ finished: true });
      } else {
        await encoder.abort();
        reply({ aborted: true });
      }
    });
    work = work.catch(fail);
  });
}
