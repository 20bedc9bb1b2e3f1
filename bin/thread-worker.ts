// The entry of each `run --threads` worker thread: runs the worker's bundle through the
// compile cache (see compile-cache.ts); lib/run/thread-worker.ts does the work.
import { loadBundle } from './compile-cache.js';

loadBundle(new URL('./bundle/thread-worker.cjs', import.meta.url), 'worker');
