import t from 'tap';
import { LatencyHistogram } from '../../lib/metrics/latency.js';

t.test('percentiles within a bucket of the truth, in bounded memory', async (t) => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i);
  const s = h.summary();
  t.ok(Math.abs(s.p50 - 500) <= 1, `p50 ${s.p50}`);
  t.ok(Math.abs(s.p95 - 950) <= 1, `p95 ${s.p95}`);
  t.ok(Math.abs(s.p99 - 990) <= 1, `p99 ${s.p99}`);
  t.equal(s.max, 1000);
});

t.test('slow samples land in coarse buckets; empty is zero', async (t) => {
  t.same(new LatencyHistogram().summary(), { p50: 0, p95: 0, p99: 0, max: 0 });
  const h = new LatencyHistogram();
  h.record(12_345);
  h.record(999_999);
  t.equal(h.quantile(0.5), 12_400);
  t.equal(h.summary().max, 999_999);
});

t.test('cumulative counts at bucket bounds, and the sum, for Prometheus histograms', async (t) => {
  const h = new LatencyHistogram();
  for (const ms of [3, 7, 7, 40, 900, 12_000]) h.record(ms);
  t.same(h.cumulative([5, 10, 50, 1000, 10_000, 60_000]), [1, 3, 4, 5, 5, 6]);
  t.equal(h.sum, 3 + 7 + 7 + 40 + 900 + 12_000);
});
