export interface LimiterOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests per minute, if the server limits them. */
  rpm?: number;
  /** Tokens (prompt + completion) per minute, if the server limits them. */
  tpm?: number;
}

interface Waiter {
  tokens: number;
  resolve: () => void;
}

/**
 * A token bucket refilled continuously at `perMinute` units a minute. It banks only one
 * second's worth (at least one unit): servers enforce per-minute limits over short
 * windows, so a minute's burst at start would be answered with 429s.
 */
export class TokenBucket {
  private level: number;
  private last: number;
  private readonly capacity: number;
  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, perMinute / 60);
    this.level = this.capacity;
    this.last = clock();
  }
  private refill(): void {
    const now = this.clock();
    this.level = Math.min(this.capacity, this.level + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
  }
  /** Takes `n` units if there are enough (a request larger than the bucket waits for a full one). */
  take(n: number): boolean {
    this.refill();
    if (this.level < Math.min(n, this.capacity)) return false;
    this.level -= n;
    return true;
  }
  give(n: number): void {
    this.level = Math.min(this.capacity, this.level + n);
  }
  msUntil(n: number): number {
    this.refill();
    const need = Math.min(n, this.capacity) - this.level;
    return need <= 0 ? 0 : Math.ceil((need * 60_000) / this.perMinute);
  }
}

/**
 * Admits requests to one model: a concurrency cap, and optional request and token
 * buckets. Waiters are served first come, first served. `pauseUntil` lets a server's
 * rate-limit headers hold everyone back before it starts answering 429.
 */
export class RequestLimiter {
  private active = 0;
  /**
   * Requests allowed in flight now: the configured concurrency, halved when the server is
   * overloaded (429, 529, timeouts) and raised by one after as many successes, as TCP's
   * AIMD does, so a storm slows the model instead of failing its records.
   */
  private limit: number;
  private successes = 0;
  /** Bumped at each decrease: one overload wave, however many requests it hits, halves once. */
  private generation = 0;
  private readonly queue: Waiter[] = [];
  private readonly requests: TokenBucket | null;
  private readonly tokens: TokenBucket | null;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LimiterOptions) {
    this.limit = options.concurrency;
    this.requests = options.rpm ? new TokenBucket(options.rpm) : null;
    this.tokens = options.tpm ? new TokenBucket(options.tpm) : null;
  }

  /** Waits for a slot; `tokens` is the request's estimated token count. */
  acquire(tokens: number): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ tokens, resolve });
      this.drain();
    });
  }

  /** Frees the slot; `actualTokens` corrects the token bucket once usage is known. */
  release(estimatedTokens: number, actualTokens?: number): void {
    this.active--;
    if (this.tokens && actualTokens !== undefined) {
      const diff = estimatedTokens - actualTokens;
      if (diff > 0) this.tokens.give(diff);
      else if (diff < 0) this.tokens.take(-diff);
    }
    this.drain();
  }

  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  /** The generation a request started in: pass it to `overloaded`. */
  get epoch(): number {
    return this.generation;
  }

  /** Requests allowed in flight now (see `limit`). */
  get concurrency(): number {
    return this.limit;
  }

  /** A request started in generation `epoch` found the server overloaded: halve, once per wave. */
  overloaded(epoch: number): void {
    if (epoch !== this.generation) return;
    this.generation++;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  /** A request succeeded: after as many successes as the current limit, one more is allowed. */
  succeeded(): void {
    if (this.limit >= this.options.concurrency) return;
    if (++this.successes >= this.limit) {
      this.limit++;
      this.successes = 0;
      this.drain();
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.active < this.limit) {
      const wait = this.delayFor(this.queue[0]!);
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
      const w = this.queue.shift()!;
      this.requests?.take(1);
      this.tokens?.take(w.tokens);
      this.active++;
      w.resolve();
    }
  }

  private delayFor(w: Waiter): number {
    const paused = this.pausedUntil - Date.now();
    const forRequests = this.requests?.msUntil(1) ?? 0;
    const forTokens = this.tokens?.msUntil(w.tokens) ?? 0;
    return Math.max(paused, forRequests, forTokens, 0);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.drain();
    }, ms);
  }
}
