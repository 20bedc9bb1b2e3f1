/**
 * Coalescing across processes: before a cache miss is loaded, the loader takes a lock
 * named after the key; the others wait for the value to appear instead of loading it too.
 */
export interface LoadLock {
  /**
   * Runs `load` if this process gets the lock for `key`; otherwise waits until `lookup`
   * finds the value another process stored, or until that process's lock lapses (it
   * died), and then tries again.
   */
  run<V>(key: string, load: () => Promise<V>, lookup: () => Promise<V | undefined>): Promise<V>;
}
