import t from 'tap';
import { isRetryableStatus, parseDuration, parseRetryAfter, retryDelayMs } from '../../lib/llm/backoff.js';

t.test('retryable statuses', async (t) => {
  t.same([408, 409, 429, 500, 502, 503, 504].map(isRetryableStatus), Array(7).fill(true));
  t.same([400, 401, 403, 404, 422].map(isRetryableStatus), Array(5).fill(false));
});

t.test('Retry-After as seconds or an HTTP date', async (t) => {
  t.equal(parseRetryAfter('3'), 3000);
  t.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-01-01T00:00:00Z');
  t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
  t.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a date in the past means now');
  t.equal(parseRetryAfter('soon'), undefined);
  t.equal(parseRetryAfter(undefined), undefined);
});

t.test('rate-limit reset durations', async (t) => {
  t.equal(parseDuration('1s'), 1000);
  t.equal(parseDuration('6m0s'), 360_000);
  t.equal(parseDuration('20ms'), 20);
  t.equal(parseDuration('1.5s'), 1500);
  t.equal(parseDuration('2'), 2000);
  t.equal(parseDuration(undefined), undefined);
});

t.test('full jitter stays within the exponential envelope; Retry-After wins but is capped', async (t) => {
  const opts = { baseMs: 100, capMs: 1000 };
  t.equal(retryDelayMs(0, undefined, opts, () => 0.999999) < 100, true);
  t.equal(Math.round(retryDelayMs(3, undefined, opts, () => 0.5)), 400);
  t.equal(Math.round(retryDelayMs(10, undefined, opts, () => 1)), 1000, 'capped');
  t.equal(
    retryDelayMs(0, undefined, opts, () => 0),
    0,
    'full jitter reaches zero',
  );
  t.equal(retryDelayMs(0, 2500, opts), 2500);
  t.equal(retryDelayMs(0, 3_600_000, opts), 4000, 'an hour-long Retry-After is capped');
});

t.test('x-ratelimit headers: a spent budget pauses until its reset', async (t) => {
  const { rateLimitHint } = await import('../../lib/llm/transports/http.js');
  const before = Date.now();
  const hint = rateLimitHint({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-remaining-tokens': '500', 'x-ratelimit-reset-tokens': '1m0s' });
  t.ok(hint && hint.pauseUntil >= before + 2000 && hint.pauseUntil <= Date.now() + 2000, 'requests spent: wait 2 s');
  const tokens = rateLimitHint({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' });
  t.ok(tokens && tokens.pauseUntil >= before + 360_000, 'tokens spent: wait 6 min');
  t.equal(rateLimitHint({ 'x-ratelimit-remaining-requests': '12' }), undefined, 'budget left: no pause');
  t.equal(rateLimitHint({}), undefined);
});
