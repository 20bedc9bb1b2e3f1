import t from 'tap';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { dryRunTransport } from '../../../lib/llm/transports/dry-run.js';
import { mockTransport } from '../../../lib/llm/transports/mock.js';
import type { WireRequest } from '../../../lib/llm/wire.js';

t.test('a dry run records each chat request as it would be sent and answers as the mock does', async (t) => {
  const recorded: Array<[string, WireRequest | Record<string, unknown>]> = [];
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

t.test("an Anthropic model's dry run shows the Messages API body it would send", async (t) => {
  const recorded: Array<Record<string, unknown>> = [];
  const dry = dryRunTransport('claude', 'claude-sonnet-4-5', (_name, request) => recorded.push(request), 'anthropic');
  await dry.dispatch({
    kind: 'chat',
    input: {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
      params: {},
    },
  });
  t.same(recorded, [{ model: 'claude-sonnet-4-5', max_tokens: 4096, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }] }]);
});
