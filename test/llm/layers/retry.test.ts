import t from 'tap';
import { ModelUnavailableError } from '../../../lib/llm/layers/breaker.js';
import { retryLayer } from '../../../lib/llm/layers/retry.js';
import { TransportError } from '../../../lib/llm/transport-error.js';
import { ModelUsage } from '../../../lib/llm/usage.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

const backoff = { baseMs: 1, capMs: 2 };

t.test('a retryable failure is tried again until it succeeds', async (t) => {
  const usage = new ModelUsage();
  const next = fakeNext((_c, i) => (i < 2 ? Promise.reject(new TransportError('HTTP 503', true, true)) : completion('ok')));
  const reply = await retryLayer({ retries: 5, backoff, usage })(next.dispatch)(chatCall('q'));
  t.equal(reply.value.text, 'ok');
  t.equal(next.calls.length, 3);
  t.match(usage, { retries: 2, failures: 0 });
});

t.test('it gives up after `retries` and says how many it made', async (t) => {
  const usage = new ModelUsage();
  const next = fakeNext(() => Promise.reject(new TransportError('HTTP 503 from x', true, true)));
  await t.rejects(retryLayer({ retries: 2, backoff, usage })(next.dispatch)(chatCall('q')), { message: 'HTTP 503 from x (gave up after 2 retries)' });
  t.equal(next.calls.length, 3);
  t.match(usage, { retries: 2, failures: 1 });
});

t.test('a failure that another try cannot mend is final at once', async (t) => {
  const usage = new ModelUsage();
  const next = fakeNext(() => Promise.reject(new TransportError('HTTP 400: bad request', false, false)));
  await t.rejects(retryLayer({ retries: 5, backoff, usage })(next.dispatch)(chatCall('q')), { message: 'HTTP 400: bad request' });
  t.equal(next.calls.length, 1);
  t.equal(usage.failures, 1);
  const other = fakeNext(() => Promise.reject(new TypeError('cannot read x')));
  await t.rejects(retryLayer({ retries: 5, backoff, usage })(other.dispatch)(chatCall('q')), { message: 'cannot read x' });
  t.equal(other.calls.length, 1, 'errors that are not transport errors are not retried');
});

t.test("an open breaker's refusal passes through, neither retried nor counted", async (t) => {
  const usage = new ModelUsage();
  const next = fakeNext(() => Promise.reject(new ModelUnavailableError('model "m" is unavailable')));
  t.type(await retryLayer({ retries: 5, backoff, usage })(next.dispatch)(chatCall('q')).catch((e: unknown) => e), ModelUnavailableError);
  t.equal(next.calls.length, 1);
  t.equal(usage.failures, 0);
});

t.test("the server's Retry-After is waited for (capped at four times the backoff cap); otherwise a jittered backoff", async (t) => {
  const delays: number[] = [];
  const wait = async (ms: number) => void delays.push(ms);
  const script = [new TransportError('HTTP 429', true, false, 40), new TransportError('HTTP 429', true, false, 60_000), new TransportError('HTTP 503', true, true)];
  const next = fakeNext((_c, i) => (i < script.length ? Promise.reject(script[i]) : completion('ok')));
  await retryLayer({ retries: 3, backoff: { baseMs: 100, capMs: 1000 }, usage: new ModelUsage(), wait })(next.dispatch)(chatCall('q'));
  t.equal(delays[0], 40);
  t.equal(delays[1], 4000);
  t.ok(delays[2]! >= 0 && delays[2]! <= 400, `third try: a uniform wait up to 100·2² ms, was ${delays[2]}`);
});

t.test('retries go on for the window as well as their number: an outage shorter than the window fails nothing', async (t) => {
  let clock = 0;
  const wait = async (ms: number) => void (clock += ms);
  // Down for 10 s of the fake clock, then up.
  const next = fakeNext(() => (clock < 10_000 ? Promise.reject(new TransportError('ECONNREFUSED', true, true)) : completion('ok')));
  const usage = new ModelUsage();
  const reply = await retryLayer({ retries: 2, windowMs: 30_000, backoff: { baseMs: 250, capMs: 2000 }, usage, wait, now: () => clock })(next.dispatch)(chatCall('q'));
  t.equal(reply.value.text, 'ok');
  t.ok(usage.retries > 2, `retried ${usage.retries} times: past its number, within the window`);
  clock = 0;
  const down = fakeNext(() => Promise.reject(new TransportError('ECONNREFUSED', true, true)));
  await t.rejects(retryLayer({ retries: 2, windowMs: 30_000, backoff: { baseMs: 250, capMs: 2000 }, usage, wait, now: () => clock })(down.dispatch)(chatCall('q')), /gave up after \d+ retries/);
  t.ok(clock >= 30_000, 'gave up once the window had passed');
});
