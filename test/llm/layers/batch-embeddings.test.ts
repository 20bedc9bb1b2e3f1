import t from 'tap';
import { batchEmbeddingsLayer } from '../../../lib/llm/layers/batch-embeddings.js';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { fakeNext } from './fake-next.js';

t.test('the embeddings asked for in one turn go out together, batchSize texts to a call, each answer to its caller', async (t) => {
  const next = fakeNext((call) => {
    const { texts } = (call as ModelCall<'embeddings'>).input;
    return { value: texts.map((text) => Float32Array.of(text.length)) };
  });
  const dispatch = batchEmbeddingsLayer(2)(next.dispatch);
  const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
  const vectors = await Promise.all(texts.map((text) => dispatch({ kind: 'embedding', input: { text, dimensions: 8 } })));
  t.same(
    vectors.map((v) => v.value[0]),
    [1, 2, 3, 4, 5],
  );
  t.same(
    next.calls.map((c) => c.input),
    [
      { texts: ['a', 'bb'], dimensions: 8 },
      { texts: ['ccc', 'dddd'], dimensions: 8 },
      { texts: ['eeeee'], dimensions: 8 },
    ],
  );
});

t.test('a failed batch fails each of its callers; other kinds pass through', async (t) => {
  const next = fakeNext((call) => (call.kind === 'embeddings' ? Promise.reject(new Error('down')) : { value: 2 }));
  const dispatch = batchEmbeddingsLayer(8)(next.dispatch);
  const results = await Promise.allSettled(['a', 'b'].map((text) => dispatch({ kind: 'embedding', input: { text } })));
  t.same(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  t.equal((await dispatch({ kind: 'reward', input: { messages: [] } })).value, 2);
  t.equal(next.calls.length, 2);
});
