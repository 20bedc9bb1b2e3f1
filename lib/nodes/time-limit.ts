/**
 * The value of `work`, or a rejection saying what did not finish within `ms`: user code
 * (code nodes, agent tools) whose promise never settles fails its record instead of
 * holding the run open forever.
 */
export function within<T>(work: T | Promise<T>, ms: number, what: string): Promise<T> {
  if (!(work instanceof Promise)) return Promise.resolve(work);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (timeout_ms)`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
