import t from 'tap';
import { breakerLayer, ModelUnavailableError } from '../../../lib/llm/layers/breaker.js';
import { TransportError } from '../../../lib/llm/transport-error.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

t.test('opens after `threshold` server faults in a row, once, and then refuses every call without sending it', async (t) => {
  const fatal: string[] = [];
  const next = fakeNext(() => Promise.reject(new TransportError('HTTP 502', true, true)));
  const dispatch = breakerLayer({ model: 'm', threshold: 3, onFatal: (m) => fatal.push(m) })(next.dispatch);
  for (let i = 0; i < 2; i++) {
    await t.rejects(dispatch(chatCall('q')), { message: 'HTTP 502', retryable: true });
  }
  await t.rejects(dispatch(chatCall('q')), { message: 'HTTP 502', retryable: false }, 'the fault that opens it is final');
  t.same(fatal, ['model "m" is failing: 3 failures in a row, the last: HTTP 502']);
  t.type(await dispatch(chatCall('q')).catch((e: unknown) => e), ModelUnavailableError);
  await t.rejects(dispatch(chatCall('q')), { message: 'model "m" is unavailable: 3 failures in a row, the last: HTTP 502' });
  t.equal(next.calls.length, 3);
  t.equal(fatal.length, 1);
});

t.test('a success resets the count; client faults (4xx) do not count', async (t) => {
  const script = ['502', '502', 'ok', '502', '502', '400', '400', '502'];
  const next = fakeNext((_c, i) => {
    const s = script[i];
    if (s === 'ok') return completion('ok');
    return Promise.reject(new TransportError(`HTTP ${s}`, s === '502', s === '502'));
  });
  let opened = false;
  const dispatch = breakerLayer({ model: 'm', threshold: 3, onFatal: () => (opened = true) })(next.dispatch);
  for (const _ of script) await dispatch(chatCall('q')).catch(() => undefined);
  t.equal(opened, true, 'the third 502 since the success opens it: 4xx in between neither count nor reset');
  const fresh = fakeNext((_c, i) => (i % 3 === 2 ? completion('ok') : Promise.reject(new TransportError('HTTP 502', true, true))));
  let freshOpened = false;
  const other = breakerLayer({ model: 'm', threshold: 3, onFatal: () => (freshOpened = true) })(fresh.dispatch);
  for (let i = 0; i < 9; i++) await other(chatCall('q')).catch(() => undefined);
  t.equal(freshOpened, false, 'two faults then a success, three times over: never three in a row');
});

t.test('with a window, many faults in a short outage do not open the breaker; a long one does', async (t) => {
  let clock = 0;
  let opened: string | null = null;
  const next = fakeNext(() => Promise.reject(new TransportError('ECONNREFUSED', true, true)));
  const dispatch = breakerLayer({ model: 'm', threshold: 20, windowMs: 30_000, now: () => clock, onFatal: (m) => (opened = m) })(next.dispatch);
  for (let i = 0; i < 100; i++) {
    clock += 30; // a hundred failures in 3 s: a server restarting
    await dispatch(chatCall('q')).catch(() => undefined);
  }
  t.equal(opened, null, 'not open after 3 s');
  clock += 30_000;
  await dispatch(chatCall('q')).catch(() => undefined);
  t.match(opened, /^model "m" is failing: 101 failures in a row over 33 s, the last: ECONNREFUSED/);
});
