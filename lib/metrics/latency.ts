/**
 * Latency percentiles in bounded memory: buckets 1 ms wide up to 1 s, then 10 ms wide up
 * to 10 s, then 100 ms wide up to ~2 min; slower samples land in the last bucket.
 */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(100 + 900 + 1100);
  count = 0;
  /** Sum of the samples, in ms (for Prometheus's _sum). */
  sum = 0;
  private max = 0;

  /** Adds `times` samples of `ms`. */
  record(ms: number, times = 1): void {
    const v = Math.max(0, ms);
    let i: number;
    if (v < 100) i = Math.floor(v);
    else if (v < 1000) i = 100 + Math.floor(v - 100);
    else if (v < 10_000) i = 1000 + Math.floor((v - 1000) / 10);
    else i = Math.min(this.buckets.length - 1, 1900 + Math.floor((v - 10_000) / 100));
    this.buckets[i]! += times;
    this.count += times;
    this.sum += v * times;
    if (v > this.max) this.max = v;
  }

  /** The smallest bucket bound below which a fraction `q` of samples fall. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return Math.min(this.max, upperBound(i));
    }
    return this.max;
  }

  /** How many samples fall at or below each bound (ms, ascending), as Prometheus's cumulative buckets. */
  cumulative(boundsMs: readonly number[]): number[] {
    const out: number[] = [];
    let seen = 0;
    let i = 0;
    for (const bound of boundsMs) {
      while (i < this.buckets.length && upperBound(i) <= bound) seen += this.buckets[i++]!;
      out.push(seen);
    }
    return out;
  }

  summary(): { p50: number; p95: number; p99: number; max: number } {
    const r = (x: number): number => Math.round(x * 10) / 10;
    return { p50: r(this.quantile(0.5)), p95: r(this.quantile(0.95)), p99: r(this.quantile(0.99)), max: r(this.max) };
  }
}

function upperBound(i: number): number {
  if (i < 100) return i + 1;
  if (i < 1000) return i + 1;
  if (i < 1900) return 1000 + (i - 1000 + 1) * 10;
  return 10_000 + (i - 1900 + 1) * 100;
}
