import t from 'tap';
import { completionCodec } from '../../../lib/llm/cache/codecs.js';
import type { Completion } from '../../../lib/llm/types.js';

t.test('a cached completion comes back whole: the plain form drops only the message that repeats the text', async (t) => {
  const plain: Completion = { text: 'Paris.', finish_reason: 'stop', usage: { prompt_tokens: 9, completion_tokens: 2 }, message: { role: 'assistant', content: 'Paris.' } };
  t.same(completionCodec.encode(plain), { text: 'Paris.', finish_reason: 'stop', usage: plain.usage });
  t.same(completionCodec.decode(completionCodec.encode(plain) as never), plain);

  const thought: Completion = { ...plain, reasoning: 'The capital of France is Paris.', usage: { prompt_tokens: 9, completion_tokens: 12, reasoning_tokens: 10 } };
  t.same(completionCodec.decode(completionCodec.encode(thought) as never), thought, 'the reasoning and its tokens are kept: a cache hit answers as the server did');
});
