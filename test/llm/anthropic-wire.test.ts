import t from 'tap';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropicBody, anthropicRateLimitHint, parseAnthropicMessage } from '../../lib/llm/anthropic-wire.js';
import { TransportError } from '../../lib/llm/transport-error.js';
import type { ChatRequest } from '../../lib/llm/types.js';

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

t.test('an OpenAI-style conversation with tool calls becomes a Messages API body', async (t) => {
  const request: ChatRequest = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'call_2', content: '24°C' },
    ],
    params: { temperature: 0.2, seed: 7, stop: 'END', tool_choice: 'required', frequency_penalty: 0.1 },
    tools: [weather],
  };
  t.same(anthropicBody('claude-sonnet-4-5', request), {
    temperature: 0.2,
    model: 'claude-sonnet-4-5',
    max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
    stop_sequences: ['END'],
    system: 'Be brief.',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '24°C' },
        ],
      },
    ],
    tools: [{ name: 'get_weather', input_schema: weather.function.parameters, description: 'Current weather in a city.' }],
    tool_choice: { type: 'any' },
  });
});

t.test('max_tokens and thinking pass through; images become image blocks; roles it lacks are refused', async (t) => {
  const body = anthropicBody('m', {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.org/cat.jpg' } },
        ],
      },
    ],
    params: { max_tokens: 512, thinking: { type: 'enabled', budget_tokens: 256 } },
  });
  t.equal(body.max_tokens, 512);
  t.same(body.thinking, { type: 'enabled', budget_tokens: 256 });
  t.same((body.messages as Array<{ content: unknown[] }>)[0]!.content.slice(1), [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    { type: 'image', source: { type: 'url', url: 'https://example.org/cat.jpg' } },
  ]);
  t.throws(() => anthropicBody('m', { messages: [{ role: 'function', content: 'x' }], params: {} }), TransportError);
});

t.test('a Messages API answer (as the API reference shows it) becomes a completion', async (t) => {
  const answer = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'The user wants the weather; I should call the tool.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Paris' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 100, output_tokens: 91 },
  };
  const { value, usage } = parseAnthropicMessage(answer);
  t.equal(value.text, 'Let me check.');
  t.equal(value.reasoning, 'The user wants the weather; I should call the tool.');
  t.equal(value.finish_reason, 'tool_calls');
  t.same(value.message.tool_calls, [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
  t.same(usage, { prompt_tokens: 572, completion_tokens: 91 });
  t.equal(parseAnthropicMessage({ content: [{ type: 'text', text: 'Hi' }], stop_reason: 'max_tokens', usage: {} }).value.finish_reason, 'length');
  t.throws(() => parseAnthropicMessage({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), TransportError);
});

t.test("Anthropic's rate-limit headers pause the model until their reset", async (t) => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  t.same(anthropicRateLimitHint({ 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': '2026-11-30T12:00:05Z' }, now), { pauseUntil: now + 5000 });
  t.equal(anthropicRateLimitHint({ 'anthropic-ratelimit-requests-remaining': '12', 'anthropic-ratelimit-requests-reset': '2026-11-30T12:00:05Z' }, now), undefined);
  t.same(anthropicRateLimitHint({ 'anthropic-ratelimit-output-tokens-remaining': '0' }, now), { pauseUntil: now + 1000 }, 'no reset: a second');
});
