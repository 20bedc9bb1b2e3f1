import { LatencyHistogram } from '../metrics/latency.js';
import type { BatchRecord } from './batch/batch-api.js';
import { costOf, type Price } from './budget.js';
import { emptyCounters, type CacheCounters } from './cache/response-cache.js';

/** What one model cost and did during a run; reported in `--stats` under `models`. */
export class ModelUsage {
  /** HTTP attempts made (retries included). */
  requests = 0;
  retries = 0;
  /** Requests that failed for good (after retries, or not retryable). */
  failures = 0;
  prompt_tokens = 0;
  completion_tokens = 0;
  /** Of the completion tokens, those spent thinking (where the server says). */
  reasoning_tokens = 0;
  inFlight = 0;
  peakInFlight = 0;
  readonly cache: CacheCounters = emptyCounters();
  /** A batch model's batches, by id (null for other models). */
  batches: Map<string, BatchRecord> | null = null;
  readonly latency = new LatencyHistogram();

  constructor(
    private readonly price?: Price,
    private readonly priceSource: string | null = price ? 'graph' : null,
  ) {}

  /** US dollars spent so far, from the tokens and the model's price (0 without a price). */
  get cost(): number {
    return costOf(this.price, this.prompt_tokens, this.completion_tokens);
  }

  started(): void {
    this.requests++;
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  ended(ms: number): void {
    this.inFlight--;
    this.latency.record(ms);
  }

  report(): ModelUsageReport {
    return {
      requests: this.requests,
      retries: this.retries,
      failures: this.failures,
      prompt_tokens: this.prompt_tokens,
      completion_tokens: this.completion_tokens,
      reasoning_tokens: this.reasoning_tokens,
      peak_in_flight: this.peakInFlight,
      cost_usd: this.price ? Math.round(this.cost * 1e6) / 1e6 : null,
      price_source: this.priceSource,
      cache: { ...this.cache, store_hits: { ...this.cache.store_hits } },
      latency_ms: this.latency.summary(),
      ...(this.batches ? { batches: [...this.batches.values()].map((b) => ({ ...b })) } : {}),
    };
  }
}

export interface ModelUsageReport {
  requests: number;
  retries: number;
  failures: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of the completion tokens, those a reasoning model spent thinking, where its server reports them. */
  reasoning_tokens: number;
  peak_in_flight: number;
  /** From the model's `price`, else the built-in table; null when it has none. */
  cost_usd: number | null;
  /** "graph", or "built-in table (DATE): NAME"; null without a price. */
  price_source: string | null;
  cache: CacheCounters;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  /** A batch model's batches: id, status, requests, succeeded, failed. */
  batches?: BatchRecord[];
}
