import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The worker threads' entry (lib/run/thread-worker.ts): beside this module when compiled by
 * tsc; in the bundle (dist/bundle/), its loader one folder up.
 */
export function workerScript(): string {
  for (const candidate of ['./thread-worker.js', '../thread-worker.mjs']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('cannot find the worker thread script (thread-worker) next to the run');
}
