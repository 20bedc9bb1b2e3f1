/**
 * A failed exchange with a model's server: `retryable` says whether another try may
 * succeed, `serverFault` whether it counts toward the circuit breaker. Every transport
 * throws these; the retry and breaker layers read them.
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Connection-level failure or 5xx: counts toward the circuit breaker. */
    readonly serverFault: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
