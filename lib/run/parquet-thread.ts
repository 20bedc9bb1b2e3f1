import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { parquetNdjson } from '../io/parquet-ndjson.js';
import { endWorker } from './end-worker.js';
import { workerScript } from './worker-script.js';

/**
 * Parquet files at least this large are decoded on a worker thread: below it, starting the
 * thread (about 30 ms) costs more than it saves.
 */
export const PARQUET_THREAD_MIN_BYTES = 16 << 20;

/** Chunks the worker may send ahead of the reader: bounded, about a megabyte. */
const WINDOW = 4;

/** What a Parquet worker thread is started with (see thread-worker.ts). */
export interface ParquetThreadData {
  kind: 'parquet-ndjson';
  path: string;
}

type FromWorker = { chunk: Uint8Array } | { end: true } | { error: string };

/**
 * A Parquet file as NDJSON bytes, decoded and serialised on a worker thread while the run
 * parses, runs and writes on this one: the run then reads it as it reads any NDJSON file,
 * and writes records no node changed as the bytes they came as. On one thread, decoding
 * the columns and writing each record out as JSON took more than half a read.
 */
export function parquetOnThread(path: string): Readable {
  return Readable.from(chunksFromThread(path), { objectMode: false });
}

async function* chunksFromThread(path: string): AsyncGenerator<Buffer> {
  const data: ParquetThreadData = { kind: 'parquet-ndjson', path };
  // Loaded only now: node:worker_threads costs every other start a few milliseconds.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(workerScript(), { workerData: data, stdout: false, stderr: false });
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const woken = (): void => {
    wake?.();
    wake = null;
  };
  worker.on('message', (message: FromWorker) => {
    if ('chunk' in message) queue.push(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
    else if ('end' in message) ended = true;
    else failure ??= new Error(message.error);
    woken();
  });
  worker.on('error', (err) => {
    failure ??= err;
    woken();
  });
  worker.on('exit', (code) => {
    if (!ended) failure ??= new Error(`the Parquet reader thread exited with code ${code}`);
    woken();
  });
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        worker.postMessage('more');
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // At the end, or when the run stops reading early (--limit, an error): the thread goes,
    // on its own when it has sent the whole file.
    await endWorker(worker, ended && failure === null);
  }
}

/** The worker side: sends the file's NDJSON chunks, at most WINDOW ahead of what the reader took. */
export async function serveParquet(port: MessagePort, data: ParquetThreadData): Promise<void> {
  let credits = WINDOW;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    credits++;
    wake?.();
    wake = null;
  });
  try {
    for await (const chunk of parquetNdjson(data.path)) {
      while (credits === 0)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      credits--;
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      port.postMessage({ chunk: view } satisfies FromWorker, [chunk.buffer as ArrayBuffer]);
    }
    port.postMessage({ end: true } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ error: (err as Error).message } satisfies FromWorker);
  }
}
