import t from 'tap';
import { meterLayer } from '../../../lib/llm/layers/meter.js';
import { ModelUsage } from '../../../lib/llm/usage.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

t.test('counts attempts, in-flight calls and the tokens of answers', async (t) => {
  const usage = new ModelUsage({ input_per_mtok: 1, output_per_mtok: 2 });
  let seenInFlight = -1;
  const next = fakeNext((_c, i) => {
    seenInFlight = usage.inFlight;
    return i === 1 ? Promise.reject(new Error('down')) : completion('ok', 100, 50);
  });
  const dispatch = meterLayer(usage)(next.dispatch);
  await dispatch(chatCall('a'));
  await t.rejects(dispatch(chatCall('b')));
  await dispatch({ kind: 'reward', input: { messages: [] } }).catch(() => undefined);
  t.equal(seenInFlight, 1, 'in flight while the call is out');
  t.match(usage, { requests: 3, inFlight: 0, peakInFlight: 1, prompt_tokens: 200, completion_tokens: 100 });
  t.equal(usage.cost, (200 * 1 + 100 * 2) / 1e6);
  t.equal(usage.report().latency_ms.max >= 0, true);
});
