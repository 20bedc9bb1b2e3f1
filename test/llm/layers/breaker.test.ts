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
