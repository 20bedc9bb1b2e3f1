import t from 'tap';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { dryRunTransport } from '../../../lib/llm/transports/dry-run.js';
import { mockTransport } from '../../../lib/llm/transports/mock.js';
import type { WireRequest } from '../../../lib/llm/wire.js';

t.test('a dry run records each chat request as it would be sent and answers as the mock does', async (t) => {
  const recorded: Array<[string, WireRequest]> = [];
  const dry = dryRunTransport('writer', 'gpt-4o-mini', (name, request) => recorded.push([name, request]));
  const call: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'hello' }], params: { temperature: 0.7 }, sample: 2 } };
  const reply = await dry.dispatch(call);
  t.same(recorded, [['writer', { temperature: 0.7, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], seed: 2 }]]);
  t.same(reply.value, (await mockTransport('gpt-4o-mini').dispatch(call)).value);
  t.equal(reply.usage, undefined, 'a dry run spends no tokens');
  const vectors = await dry.dispatch({ kind: 'embeddings', input: { texts: ['a', 'b'] } });
  t.equal(vectors.value.length, 2);
  t.equal(recorded.length, 1, 'only chat requests are recorded');
  t.same(await dry.preflight(), []);
});
