import t from 'tap';
import type { NumberList } from '../../../lib/llm/cache/codecs.js';
import { emptyCounters, ResponseCache } from '../../../lib/llm/cache/response-cache.js';
import type { CacheStore } from '../../../lib/llm/cache/store.js';
import { cacheLayer, RequestKeys } from '../../../lib/llm/layers/cache.js';
import type { Completion } from '../../../lib/llm/types.js';
import { chatCall, completion, fakeNext } from './fake-next.js';

function recordingStore<V>(keys: string[]): CacheStore<V> {
  return { name: 'disk', get: async (k) => (keys.push(k), undefined), set: async () => {}, ready: async () => {}, close: async () => {} };
}

function caches(keys: string[]) {
  return {
    completions: new ResponseCache<Completion>({ stores: [recordingStore(keys)], sizeOf: () => 1 }),
    embeddings: new ResponseCache<Float32Array>({ stores: [recordingStore(keys)], sizeOf: () => 1 }),
    numbers: new ResponseCache<NumberList>({ stores: [recordingStore(keys)], sizeOf: () => 1 }),
  };
}

t.test('keys are those written by earlier versions, so their caches still answer', async (t) => {
  // Computed by the client before it was split into layers (session 8), for the same calls.
  const keys: string[] = [];
  const next = fakeNext((call) => {
    if (call.kind === 'chat') return completion('x');
    if (call.kind === 'embedding') return { value: new Float32Array(2) };
    if (call.kind === 'reward') return { value: 1.5 };
    return { value: { offsets: [0], logprobs: [null] } };
  });
  const mock = cacheLayer({ ...caches(keys), counters: emptyCounters(), model: 'mock-1', keys: new RequestKeys('mock-1', []) })(next.dispatch);
  await mock({ kind: 'chat', input: { messages: [{ role: 'user', content: 'hi' }], params: { temperature: 0.5, max_tokens: 20 } } });
  await mock({
    kind: 'chat',
    input: {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'hi' },
      ],
      params: { temperature: 0.5 },
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f' } }],
      sample: 2,
    },
  });
  await mock({ kind: 'embedding', input: { text: 'hello world' } });
  await mock({
    kind: 'reward',
    input: {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    },
  });
  await mock({ kind: 'prompt_logprobs', input: { prompt: 'a prompt here' } });
  const http = cacheLayer({ ...caches(keys), counters: emptyCounters(), model: 'gpt-x', keys: new RequestKeys('gpt-x', ['http://user:pw@127.0.0.1:9/v1/', 'http://127.0.0.1:8/v1']) })(next.dispatch);
  await http(chatCall('hi', { max_tokens: 20 }));
  t.same(keys, [
    '0de6a84d88c60d7e1fb2f6dba8e0b51914cce486eb4f419ccd97130d33afc0b6',
    '4906efac9b45045c90f9e8d1b795c7659483e6c63ae7f00827d3b9e50f81510a',
    '33f27c63da8dd9d6cd4dccb6123ec7d87a6cf6c23bcfa7d2eff5c20f38bd5c0b',
    '073dfb753a439fd8c04fb97cf07d2f0fb5dd311a83e96af3a96a38a5b9cbcdcc',
    '9611192ef804423ecfc85c0f30c7c03468c366677e73798a2e7ee17354ef3e49',
    'e901f9c75bfd69dc000e4fa5726ab34dcc37011182af7a6730a3085763c80042',
  ]);
});

t.test('identical calls in flight together make one call; a repeat is answered from memory', async (t) => {
  const counters = emptyCounters();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const next = fakeNext(async () => (await gate, completion('answer')));
  const dispatch = cacheLayer({ ...caches([]), counters, model: 'm', keys: new RequestKeys('m', []) })(next.dispatch);
  const together = [dispatch(chatCall('same')), dispatch(chatCall('same')), dispatch(chatCall('same'))];
  release();
  const replies = await Promise.all(together);
  t.equal(next.calls.length, 1, 'one call went on');
  t.same(
    replies.map((r) => [r.value.text, r.cached]),
    [
      ['answer', false],
      ['answer', true],
      ['answer', true],
    ],
  );
  const again = await dispatch(chatCall('same'));
  t.equal(again.cached, true);
  t.equal(next.calls.length, 1);
  t.match(counters, { coalesced: 2, memory_hits: 1 });
});

t.test('without a cache every call goes on and counts as a miss; a failed call is not cached', async (t) => {
  const counters = emptyCounters();
  const next = fakeNext((_call, i) => (i === 0 ? Promise.reject(new Error('boom')) : completion('ok')));
  const none = cacheLayer({ completions: null, embeddings: null, numbers: null, counters, model: 'm', keys: new RequestKeys('m', []) })(next.dispatch);
  await t.rejects(none(chatCall('q')), /boom/);
  t.equal((await none(chatCall('q'))).cached, false);
  t.equal(counters.misses, 2);

  const cached = cacheLayer({ ...caches([]), counters: emptyCounters(), model: 'm', keys: new RequestKeys('m', []) })(
    fakeNext((_call, i) => (i === 0 ? Promise.reject(new Error('boom')) : completion('ok'))).dispatch,
  );
  await t.rejects(cached(chatCall('q')), /boom/);
  t.equal((await cached(chatCall('q'))).value.text, 'ok', 'the failure was not remembered');
});

t.test('prompt log-probabilities round-trip through the number cache', async (t) => {
  const next = fakeNext(() => ({ value: { offsets: [0, 2, 9], logprobs: [null, -1.5, -0.25] } }));
  const dispatch = cacheLayer({ ...caches([]), counters: emptyCounters(), model: 'm', keys: new RequestKeys('m', []) })(next.dispatch);
  const first = await dispatch({ kind: 'prompt_logprobs', input: { prompt: 'a prompt here' } });
  const second = await dispatch({ kind: 'prompt_logprobs', input: { prompt: 'a prompt here' } });
  t.same(second.value, first.value);
  t.same(second.value, { offsets: [0, 2, 9], logprobs: [null, -1.5, -0.25] });
  t.equal(next.calls.length, 1);
});

t.test('batches of embeddings pass through untouched', async (t) => {
  const next = fakeNext(() => ({ value: [new Float32Array(1)] }));
  const dispatch = cacheLayer({ ...caches([]), counters: emptyCounters(), model: 'm', keys: new RequestKeys('m', []) })(next.dispatch);
  await dispatch({ kind: 'embeddings', input: { texts: ['a'] } });
  await dispatch({ kind: 'embeddings', input: { texts: ['a'] } });
  t.equal(next.calls.length, 2);
});
