import { TransportError } from './transport-error.js';
import type { ChatMessage, ChatRequest, Completion, ContentPart, TokenUsage } from './types.js';

/**
 * Anthropic's Messages API in the terms nodes use, which are OpenAI's: system messages
 * become the `system` field, tool calls and tool results become tool_use and tool_result
 * content blocks, thinking blocks become the completion's reasoning. A node never knows
 * which provider answered.
 */

/** The version of the Messages API these shapes follow (sent as `anthropic-version`). */
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API; this is sent when neither model nor node sets it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown> & { type: string };
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

/** OpenAI-style parameters with no Anthropic counterpart: left out rather than refused. */
const DROPPED = new Set([
  'seed',
  'n',
  'presence_penalty',
  'frequency_penalty',
  'logprobs',
  'top_logprobs',
  'response_format',
  'user',
  'logit_bias',
  'parallel_tool_calls',
  'max_completion_tokens',
  'stop',
]);

/** The body of POST /v1/messages for a chat request. */
export function anthropicBody(model: string, request: ChatRequest): Record<string, unknown> {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    // The API wants turns to alternate: consecutive messages of one role become one turn.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  request.messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') system.push(plainText(m.content));
    else if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: plainText(m.content) }]);
    else if (m.role === 'assistant') push('assistant', [...contentBlocks(m.content, i), ...toolUses(m.tool_calls, i)]);
    else if (m.role === 'user') push('user', contentBlocks(m.content, i));
    else throw new TransportError(`messages[${i}]: role "${m.role}" has no counterpart in Anthropic's Messages API`, false, false);
  });
  const params = request.params;
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!DROPPED.has(key) && key !== 'max_tokens' && key !== 'tool_choice') body[key] = value;
  body.model = model;
  body.max_tokens = typeof params.max_tokens === 'number' ? params.max_tokens : typeof params.max_completion_tokens === 'number' ? params.max_completion_tokens : ANTHROPIC_DEFAULT_MAX_TOKENS;
  if (params.stop !== undefined) body.stop_sequences = [params.stop].flat();
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = messages;
  if (request.tools) body.tools = request.tools.map(anthropicTool);
  if (params.tool_choice !== undefined) body.tool_choice = anthropicToolChoice(params.tool_choice);
  return body;
}

function plainText(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function contentBlocks(content: ChatMessage['content'], index: number): Block[] {
  if (content === null || content === '') return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part) => partBlock(part, index));
}

function partBlock(part: ContentPart, index: number): Block {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image_url') {
    const url = part.image_url.url;
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    return data ? { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } } : { type: 'image', source: { type: 'url', url } };
  }
  throw new TransportError(`messages[${index}]: ${part.type} parts have no counterpart in Anthropic's Messages API`, false, false);
}

interface ToolCall {
  id?: string;
  function?: { name?: string; arguments?: string };
}

function toolUses(calls: unknown[] | undefined, index: number): Block[] {
  return (calls ?? []).map((raw, k) => {
    const call = raw as ToolCall;
    let input: unknown = {};
    try {
      input = call.function?.arguments ? JSON.parse(call.function.arguments) : {};
    } catch {
      throw new TransportError(`messages[${index}].tool_calls[${k}]: arguments are not JSON`, false, false);
    }
    return { type: 'tool_use', id: call.id ?? `call_${index}_${k}`, name: call.function?.name ?? '', input };
  });
}

function anthropicTool(raw: unknown): Record<string, unknown> {
  const tool = raw as { type?: string; function?: { name?: string; description?: string; parameters?: unknown } };
  if (tool.type !== 'function' || !tool.function) return raw as Record<string, unknown>;
  const out: Record<string, unknown> = { name: tool.function.name, input_schema: tool.function.parameters ?? { type: 'object', properties: {} } };
  if (tool.function.description) out.description = tool.function.description;
  return out;
}

function anthropicToolChoice(choice: unknown): unknown {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  const named = choice as { function?: { name?: string } };
  return named?.function?.name ? { type: 'tool', name: named.function.name } : choice;
}

const STOP_REASONS: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', pause_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };

/** A Messages API answer as a completion: text blocks joined, thinking as reasoning, tool_use as tool calls. */
export function parseAnthropicMessage(body: unknown): { value: Completion; usage: TokenUsage } {
  const b = body as {
    content?: Array<Block>;
    stop_reason?: string | null;
    usage?: { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  };
  if (!Array.isArray(b.content)) throw new TransportError('answer has no content blocks', true, true);
  let text = '';
  const thinking: string[] = [];
  const toolCalls: unknown[] = [];
  for (const block of b.content) {
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') thinking.push(block.thinking);
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
  }
  const u = b.usage ?? {};
  const usage: TokenUsage = {
    prompt_tokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
    completion_tokens: u.output_tokens ?? 0,
  };
  const stop = b.stop_reason ?? null;
  const value: Completion = {
    text,
    ...(thinking.length > 0 ? { reasoning: thinking.join('\n\n') } : {}),
    finish_reason: stop === null ? null : (STOP_REASONS[stop] ?? stop),
    usage,
    message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
  };
  return { value, usage };
}

/** When Anthropic's rate-limit headers say a budget is spent: hold off until its reset. */
export function anthropicRateLimitHint(headers: Record<string, string | string[] | undefined>, now = Date.now()): { pauseUntil: number } | undefined {
  let until = 0;
  for (const kind of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    const remaining = headers[`anthropic-ratelimit-${kind}-remaining`];
    if (remaining === undefined || Number(remaining) > 0) continue;
    const reset = Date.parse(String(headers[`anthropic-ratelimit-${kind}-reset`] ?? ''));
    until = Math.max(until, Number.isFinite(reset) ? reset : now + 1000);
  }
  return until > now ? { pauseUntil: until } : undefined;
}
