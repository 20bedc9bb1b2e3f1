import type { Worker } from 'node:worker_threads';
import type { ThreadClose } from './thread-protocol.js';

/** How long an idle worker asked to exit has to do so (writing its compile cache takes tens of ms). */
const CLOSE_WAIT_MS = 5000;

/**
 * Ends a worker thread (of `--threads`, or one that reads or writes Parquet). An idle one
 * is asked to exit on its own: exiting so, it runs its exit handlers, where its compile
 * cache is written (bin/compile-cache.ts). terminate() skips them, so a worker stopped that
 * way never wrote one, and every run compiled the worker bundle afresh (75 ms of each
 * start). A busy or failed one is stopped, and so is an idle one that has not exited
 * within CLOSE_WAIT_MS.
 */
export function endWorker(worker: Worker, idle: boolean): Promise<void> {
  if (!idle) return worker.terminate().then(() => undefined);
  return new Promise<void>((resolve) => {
    const stop = setTimeout(() => void worker.terminate().then(() => resolve()), CLOSE_WAIT_MS);
    worker.once('exit', () => {
      clearTimeout(stop);
      resolve();
    });
    worker.postMessage({ close: true } satisfies ThreadClose);
  });
}
