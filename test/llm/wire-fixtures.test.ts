import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anthropicBatchResult } from '../../lib/llm/batch/anthropic-batch.js';
import { openAiBatchResult } from '../../lib/llm/batch/openai-batch.js';
import type { ModelCall } from '../../lib/llm/dispatch.js';
import { anthropicTransport } from '../../lib/llm/transports/anthropic.js';
import { openAiTransport } from '../../lib/llm/transports/openai.js';

const WIRE = join(process.cwd(), 'fixtures', 'wire');
const fixture = (name: string): string => readFileSync(join(WIRE, name), 'utf8');

/** A server that answers every request with one fixture, byte for byte, and the status given. */
async function replay(t: Test, name: string, status = 200, headers: Record<string, string> = {}): Promise<string> {
  const body = fixture(name);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const common = { name: 'm', model: 'x', timeoutMs: 5000, connections: 2, balance: 'least_outstanding' as const, onRateLimit: () => {} };
const chat: ModelCall<'chat'> = { kind: 'chat', input: { messages: [{ role: 'user', content: 'hi' }], params: {} } };

async function openAiAnswer(t: Test, name: string) {
  const http = openAiTransport({ ...common, baseUrls: [`${await replay(t, name)}/v1`] });
  t.teardown(() => http.close());
  return (await http.dispatch(chat)).value;
}

t.test('OpenAI: tool calls, logprobs, cached and reasoning tokens', async (t) => {
  const tools = await openAiAnswer(t, 'openai-chat-tool-calls.json');
  t.equal(tools.finish_reason, 'tool_calls');
  t.equal(tools.text, '');
  t.same(
    (tools.message.tool_calls as Array<{ id: string; function: { name: string; arguments: string } }>).map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
    [
      ['call_abc123', 'get_weather', { city: 'Paris' }],
      ['call_def456', 'get_weather', { city: 'Rome' }],
    ],
  );
  t.same(tools.usage, { prompt_tokens: 1180, completion_tokens: 42 }, 'cached tokens are part of prompt_tokens');
  t.equal((await openAiAnswer(t, 'openai-chat-logprobs.json')).text, 'Hello!');
  const reasoning = await openAiAnswer(t, 'openai-reasoning-tokens.json');
  t.same(reasoning.usage, { prompt_tokens: 14, completion_tokens: 210, reasoning_tokens: 192 });
  t.equal(reasoning.reasoning, undefined, 'OpenAI does not send the reasoning itself');
});

t.test('OpenAI-compatible servers: vLLM, OpenRouter, Ollama, llama.cpp', async (t) => {
  const vllm = await openAiAnswer(t, 'vllm-reasoning-content.json');
  t.equal(vllm.text, '9.9 is larger than 9.11.');
  t.match(vllm.reasoning, /^The user asks for 9\.11 vs 9\.9/);
  t.same(vllm.message.tool_calls, [], 'an empty tool_calls list is kept as sent');
  const openrouter = await openAiAnswer(t, 'openrouter-reasoning.json');
  t.same([openrouter.text, openrouter.reasoning], ['Paris.', "France's capital is Paris."]);
  const ollama = await openAiAnswer(t, 'ollama-chat.json');
  t.same([ollama.text, ollama.finish_reason, ollama.usage], ['A river is a natural stream of water flowing toward a sea.', 'stop', { prompt_tokens: 15, completion_tokens: 14 }]);
  const llamacpp = await openAiAnswer(t, 'llamacpp-chat.json');
  t.same([llamacpp.text, llamacpp.finish_reason], ['A river is a large, flowing body of', 'length']);
});

t.test('Anthropic: thinking, text and tool use in one message', async (t) => {
  const claude = anthropicTransport({ ...common, baseUrls: [await replay(t, 'anthropic-message-thinking-tool-use.json')] });
  t.teardown(() => claude.close());
  const value = (await claude.dispatch(chat)).value;
  t.equal(value.text, "I'll check the weather in Paris.");
  t.equal(value.reasoning, 'The user wants the weather in Paris. I should call get_weather.');
  t.equal(value.finish_reason, 'tool_calls');
  t.same(value.message.tool_calls, [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }]);
});

t.test('error bodies: the status decides the retry, the message reaches the user', async (t) => {
  const limited = openAiTransport({ ...common, baseUrls: [`${await replay(t, 'openai-error-429.json', 429, { 'retry-after': '2' })}/v1`] });
  t.teardown(() => limited.close());
  t.match(await limited.dispatch(chat).catch((e: unknown) => e), { retryable: true, status: 429, retryAfterMs: 2000, message: /Rate limit reached for gpt-4o/ });
  const overloaded = anthropicTransport({ ...common, baseUrls: [await replay(t, 'anthropic-error-529.json', 529)] });
  t.teardown(() => overloaded.close());
  t.match(await overloaded.dispatch(chat).catch((e: unknown) => e), { retryable: true, status: 529, message: /overloaded_error/ });
});

t.test('batch result lines: answers, failed requests and expired ones', async (t) => {
  const openai = fixture('openai-batch-output.jsonl')
    .trim()
    .split('\n')
    .map((l) => openAiBatchResult(JSON.parse(l), new Map()));
  t.match(openai[0], { customId: 'request-1', reply: { value: { text: 'Hello.', finish_reason: 'stop' }, usage: { prompt_tokens: 22, completion_tokens: 2 } } });
  t.same(openai[1], { customId: 'request-2', error: "Invalid 'messages[0].content': string too long." });
  t.same(openai[2], { customId: 'request-3', error: 'This request could not be executed before the completion window expired.' });
  const anthropic = fixture('anthropic-batch-results.jsonl')
    .trim()
    .split('\n')
    .map((l) => anthropicBatchResult(JSON.parse(l)));
  t.match(anthropic[0], { customId: 'my-first-request', reply: { value: { text: "Hello again! It's nice to see you.", finish_reason: 'stop' } } });
  t.same(anthropic.slice(1), [
    { customId: 'my-second-request', error: 'Validation error text' },
    { customId: 'my-third-request', error: 'expired' },
    { customId: 'my-fourth-request', error: 'canceled' },
  ]);
});
