import type { Layer } from '../dispatch.js';
import { TransportError } from '../transport-error.js';

/** Raised for every call once the model's circuit breaker has opened. */
export class ModelUnavailableError extends Error {}

export interface BreakerOptions {
  /** The model's name in the graph, for messages. */
  model: string;
  /** Server faults in a row (5xx, connection failures) that open the breaker... */
  threshold: number;
  /** ...over at least this long: a server restarting for a few seconds is not a model down. */
  windowMs?: number;
  now?: () => number;
  /** Called once, when the breaker opens: the run should stop taking records. */
  onFatal: (message: string) => void;
}

/**
 * A circuit breaker per model: after `threshold` server faults in a row the model is
 * taken as down, every later call fails at once, and the run is told to stop. A fault
 * seen once it is open is final, so the retry layer above gives up on it.
 */
export function breakerLayer(options: BreakerOptions): Layer {
  let faultsInARow = 0;
  let streakBegan = 0;
  let openBecause: string | null = null;
  const now = options.now ?? (() => performance.now());
  const windowMs = options.windowMs ?? 0;
  return (next) => async (call) => {
    if (openBecause) throw new ModelUnavailableError(`model "${options.model}" is unavailable: ${openBecause}`);
    try {
      const reply = await next(call);
      faultsInARow = 0;
      return reply;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      if (err.serverFault && faultsInARow++ === 0) streakBegan = now();
      if (err.serverFault && faultsInARow >= options.threshold && now() - streakBegan >= windowMs && !openBecause) {
        const seconds = Math.round((now() - streakBegan) / 1000);
        openBecause = `${faultsInARow} failures in a row${windowMs > 0 ? ` over ${seconds} s` : ''}, the last: ${err.message}`;
        options.onFatal(`model "${options.model}" is failing: ${openBecause}`);
      }
      if (openBecause && err.retryable) throw new TransportError(err.message, false, err.serverFault, err.retryAfterMs, err.status);
      throw err;
    }
  };
}
