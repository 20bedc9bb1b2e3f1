import t from 'tap';
import { RequestLimiter, TokenBucket } from '../../lib/llm/limiter.js';

t.test("a bucket banks a second's worth and refills at its rate", async (t) => {
  let now = 0;
  const b = new TokenBucket(600, () => now);
  for (let i = 0; i < 10; i++) t.equal(b.take(1), true);
  t.equal(b.take(1), false, "empty after a second's worth: no minute-long burst");
  t.equal(b.msUntil(1), 100, 'one request every 100 ms at 600 rpm');
  now = 99;
  t.equal(b.take(1), false);
  now = 100;
  t.equal(b.take(1), true);
  now = 60_000;
  t.equal(b.msUntil(10), 0);
  t.equal(b.take(10), true, "a full second's worth is there after a long idle...");
  t.equal(b.take(1), false, '...and never more');
  const slow = new TokenBucket(30, () => now);
  t.equal(slow.take(1), true, 'at least one unit is banked');
  t.equal(slow.msUntil(1), 2000);
});

t.test('the limiter admits at most `concurrency` at once, first come first served', async (t) => {
  const limiter = new RequestLimiter({ concurrency: 2 });
  const admitted: number[] = [];
  const waits = [1, 2, 3, 4].map((i) => limiter.acquire(1).then(() => admitted.push(i)));
  await new Promise((r) => setImmediate(r));
  t.same(admitted, [1, 2]);
  limiter.release(1);
  await new Promise((r) => setImmediate(r));
  t.same(admitted, [1, 2, 3]);
  limiter.release(1);
  limiter.release(1);
  await Promise.all(waits);
  t.same(admitted, [1, 2, 3, 4]);
});

t.test('tokens per minute: usage reported after the call corrects the estimate', async (t) => {
  let now = 0;
  const b = new TokenBucket(60_000, () => now);
  t.equal(b.take(800), true);
  t.equal(b.take(300), false);
  b.give(500);
  t.equal(b.take(300), true, 'the call used less than estimated; the difference came back');
  t.equal(b.take(5000), false, 'a request bigger than the bucket waits for a full bucket');
  now = 1000;
  t.equal(b.take(5000), true);
  t.equal(b.msUntil(1), 4001, 'and the debt is paid before the next');
});

t.test('AIMD: an overload wave halves the requests in flight once, successes win them back one by one', async (t) => {
  const limiter = new RequestLimiter({ concurrency: 16 });
  t.equal(limiter.concurrency, 16);
  const wave = limiter.epoch;
  for (let i = 0; i < 10; i++) limiter.overloaded(wave);
  t.equal(limiter.concurrency, 8, 'ten 429s of one wave halve once');
  limiter.overloaded(limiter.epoch);
  t.equal(limiter.concurrency, 4, 'a later wave halves again');
  for (let i = 0; i < 4; i++) limiter.succeeded();
  t.equal(limiter.concurrency, 5, 'as many successes as the limit: one more');
  for (let i = 0; i < 200; i++) limiter.succeeded();
  t.equal(limiter.concurrency, 16, 'never above the configured concurrency');
  for (let i = 0; i < 10; i++) limiter.overloaded(limiter.epoch);
  t.equal(limiter.concurrency, 1, 'never below one');
});
