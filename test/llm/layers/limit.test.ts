import t from 'tap';
import { limitLayer, tokenEstimate } from '../../../lib/llm/layers/limit.js';
import { RequestLimiter } from '../../../lib/llm/limiter.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

t.test('no more calls in flight than the concurrency, and a failed call frees its slot', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const next = fakeNext(async (_c, i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    if (i % 4 === 0) throw new Error('fails');
    return completion('ok');
  });
  const dispatch = limitLayer(new RequestLimiter({ concurrency: 3 }))(next.dispatch);
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => dispatch(chatCall(String(i)))));
  t.equal(peak, 3);
  t.equal(next.calls.length, 20, 'every call ran: failures gave their slots back');
  t.equal(results.filter((r) => r.status === 'rejected').length, 5);
});

t.test("a call's token estimate: its prompt and max_tokens (256 unless set)", async (t) => {
  t.equal(tokenEstimate(chatCall('12345678')), 3 + 256);
  t.equal(tokenEstimate(chatCall('12345678', { max_tokens: 7 })), 3 + 7);
  t.equal(tokenEstimate({ kind: 'embeddings', input: { texts: ['abcd', 'abcdefgh'] } }), 3);
  t.equal(tokenEstimate({ kind: 'reward', input: { messages: [] } }), 64);
});
