import t from 'tap';
import type { ModelCall } from '../../../lib/llm/dispatch.js';
import { TransportError } from '../../../lib/llm/transport-error.js';
import { anthropicTransport, type AnthropicTransportOptions } from '../../../lib/llm/transports/anthropic.js';
import { listeningMock } from './mock-server.js';

const options = (url: string, more: Partial<AnthropicTransportOptions> = {}): AnthropicTransportOptions => ({
  name: 'claude',
  model: 'claude-sonnet-4-5',
  baseUrls: [url.replace(/\/v1$/, '')],
  apiKey: 'key-1',
  timeoutMs: 5000,
  connections: 4,
  balance: 'least_outstanding',
  onRateLimit: () => {},
  ...more,
});

const tools = [{ type: 'function', function: { name: 'lookup', description: 'Looks a word up.', parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } } }];

t.test('the Messages API: x-api-key, the system prompt apart, tool calls there and back, thinking as reasoning', async (t) => {
  const { server, url } = await listeningMock({ apiKey: 'key-1' });
  t.teardown(() => server.close());
  const claude = anthropicTransport(options(url));
  t.teardown(() => claude.close());
  const first: ModelCall<'chat'> = {
    kind: 'chat',
    input: {
      messages: [
        { role: 'system', content: 'Use the tool.' },
        { role: 'user', content: 'What does "river" mean?' },
      ],
      params: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      tools,
    },
  };
  const call = (await claude.dispatch(first)).value;
  t.equal(call.finish_reason, 'tool_calls');
  const toolCalls = call.message.tool_calls as Array<{ id: string; function: { name: string; arguments: string } }>;
  t.equal(toolCalls[0]!.function.name, 'lookup');
  t.match(call.reasoning, /I consider what is asked/, 'thinking enabled: a thinking block, read as reasoning');
  const second = await claude.dispatch({
    kind: 'chat',
    input: { messages: [...first.input.messages, call.message, { role: 'tool', tool_call_id: toolCalls[0]!.id, content: 'a large stream' }], params: {}, tools },
  });
  t.equal(second.value.finish_reason, 'stop');
  t.match(second.value.text, /Tool results: a large stream/, 'the tool result reached the model as a tool_result block');
  t.equal(server.stats.anthropic_requests, 2);
  t.equal(server.stats.unauthorized, 0);
  t.same(await claude.preflight(), []);
  const wrong = anthropicTransport(options(url, { apiKey: 'key-2' }));
  t.teardown(() => wrong.close());
  t.match((await wrong.preflight())[0], /refused the credentials \(HTTP 401\)/);
});

t.test('529 overloaded is retried; calls it has no endpoint for are refused at once', async (t) => {
  const { server, url } = await listeningMock({ failFirst: 1, failStatus: 529 });
  t.teardown(() => server.close());
  const claude = anthropicTransport(options(url, { apiKey: 'secret-key-value' }));
  t.teardown(() => claude.close());
  const chat: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'x' }], params: {} } };
  const err = await claude.dispatch(chat).catch((e: unknown) => e);
  t.type(err, TransportError);
  t.match(err, { retryable: true, status: 529, message: /overloaded_error/ });
  t.notMatch((err as Error).message, /secret-key-value/);
  t.equal((await claude.dispatch(chat)).value.finish_reason, 'stop');
  const embed = await claude.dispatch({ kind: 'embeddings', input: { texts: ['a'] } }).catch((e: unknown) => e);
  t.match(embed, { retryable: false, message: /Anthropic's API has no embeddings/ });
});
