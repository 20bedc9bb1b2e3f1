import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs, type BackoffOptions } from '../backoff.js';
import type { Layer } from '../dispatch.js';
import { TransportError } from '../transport-error.js';
import type { ModelUsage } from '../usage.js';
import { ModelUnavailableError } from './breaker.js';

export interface RetryOptions {
  /** Tries after the first, at least. */
  retries: number;
  /** And for at least this long since the first try: an outage or a 429 storm shorter than it fails no record. */
  windowMs?: number;
  backoff: BackoffOptions;
  /** Where retries and final failures are counted. */
  usage: ModelUsage;
  /** How a backoff is waited out, and the clock (tests set both). */
  wait?: (ms: number) => Promise<unknown>;
  now?: () => number;
}

/**
 * Tries a call again when its failure says another try may succeed (timeouts, 429, 5xx,
 * connection errors), after an exponential backoff with full jitter or the server's
 * Retry-After. The error that ends it says how many retries were made.
 */
export function retryLayer(options: RetryOptions): Layer {
  const wait = options.wait ?? sleep;
  const windowMs = options.windowMs ?? 0;
  const now = options.now ?? (() => performance.now());
  return (next) => async (call) => {
    const began = now();
    for (let attempt = 0; ; attempt++) {
      let delay: number;
      try {
        return await next(call);
      } catch (err) {
        if (err instanceof ModelUnavailableError) throw err;
        const fault = err instanceof TransportError ? err : new TransportError(String((err as Error).message ?? err), false, false);
        if (!fault.retryable || (attempt >= options.retries && now() - began >= windowMs)) {
          options.usage.failures++;
          throw new Error(attempt > 0 ? `${fault.message} (gave up after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})` : fault.message);
        }
        options.usage.retries++;
        delay = retryDelayMs(attempt, fault.retryAfterMs, options.backoff);
      }
      await wait(delay);
    }
  };
}
