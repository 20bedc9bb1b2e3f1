import { watch } from 'node:fs';

/**
 * Resolves once `ready()` holds, checked now and again each time something in `dir`
 * changes (inotify, not a timer): how a test waits for a child process to get somewhere.
 * An abort stops the waiting (and resolves too).
 */
export function whenInDir(dir: string, ready: () => boolean, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir);
    const done = (): void => {
      watcher.close();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    watcher.on('change', () => {
      if (ready()) done();
    });
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted || ready()) done();
  });
}
