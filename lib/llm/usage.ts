import { LatencyHistogram } from '../metrics/latency.js';
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
  inFlight = 0;
  peakInFlight = 0;
  readonly cache: CacheCounters = emptyCounters();
  readonly latency = new LatencyHistogram();

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
      peak_in_flight: this.peakInFlight,
      cache: { ...this.cache, store_hits: { ...this.cache.store_hits } },
      latency_ms: this.latency.summary(),
    };
  }
}

export interface ModelUsageReport {
  requests: number;
  retries: number;
  failures: number;
  prompt_tokens: number;
  completion_tokens: number;
  peak_in_flight: number;
  cache: CacheCounters;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
}
