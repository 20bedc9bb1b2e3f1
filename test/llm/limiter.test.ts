import t from 'tap';
import { RequestLimiter, TokenBucket } from '../../lib/llm/limiter.js';

t.test('a bucket banks a minute and refills at its rate', async (t) => {
  let now = 0;
  const b = new TokenBucket(60, () => now);
  for (let i = 0; i < 60; i++) t.equal(b.take(1), true);
  t.equal(b.take(1), false, 'empty after a minute\'s worth');
  t.equal(b.msUntil(1), 1000, 'one request a second at 60 rpm');
  now = 999;
  t.equal(b.take(1), false);
  now = 1000;
  t.equal(b.take(1), true);
  now = 10 * 60_000;
  t.equal(b.msUntil(60), 0, 'never banks more than a minute');
  t.equal(b.take(61), true, 'a request larger than the bucket goes when it is full');
  t.ok(b.msUntil(1) > 1000);
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
  const b = new TokenBucket(1000, () => now);
  t.equal(b.take(800), true);
  t.equal(b.take(300), false);
  b.give(500);
  t.equal(b.take(300), true, 'the call used less than estimated; the difference came back');
});
