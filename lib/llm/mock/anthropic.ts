import type { ChatMessage, Completion } from '../types.js';
import type { WireRequest } from '../wire.js';

/**
 * The mock server's side of Anthropic's Messages API: a request read into the OpenAI-style
 * body the mock model answers, and its completion written back as a message. The converse
 * of anthropic-wire.ts, written from the API reference rather than from that file, so a
 * test through both checks one against the other.
 */

type Block = { type: string; [key: string]: unknown };
interface MessagesBody {
  model?: string;
  system?: string | Block[];
  messages?: Array<{ role?: string; content?: string | Block[] }>;
  max_tokens?: number;
  tools?: Array<{ name?: string; description?: string; input_schema?: unknown }>;
  [key: string]: unknown;
}

/** Why a Messages API body is not one, or null. */
export function messagesBodyProblem(body: MessagesBody): string | null {
  if (typeof body.model !== 'string') return 'model: required';
  if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) return 'max_tokens: required, at least 1';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: a non-empty array is required';
  for (const [i, m] of body.messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: must be "user" or "assistant"`;
    if (i > 0 && body.messages[i - 1]!.role === m.role) return `messages.${i}: roles must alternate between "user" and "assistant"`;
  }
  return null;
}

/** The OpenAI-style request a Messages API body stands for. */
export function wireOfMessages(body: MessagesBody): WireRequest {
  const messages: ChatMessage[] = [];
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => String(b.text ?? '')).join('');
  if (system) messages.push({ role: 'system', content: system });
  for (const m of body.messages ?? []) {
    if (typeof m.content === 'string') {
      messages.push({ role: m.role!, content: m.content });
      continue;
    }
    const blocks = m.content ?? [];
    const text = blocks
      .filter((b) => b.type === 'text')
      .map((b) => String(b.text))
      .join('');
    const toolUses = blocks.filter((b) => b.type === 'tool_use');
    for (const result of blocks.filter((b) => b.type === 'tool_result')) {
      const content = typeof result.content === 'string' ? result.content : Array.isArray(result.content) ? (result.content as Block[]).map((b) => String(b.text ?? '')).join('') : '';
      messages.push({ role: 'tool', tool_call_id: String(result.tool_use_id), content });
    }
    if (text !== '' || toolUses.length > 0) {
      messages.push({
        role: m.role!,
        content: text === '' ? null : text,
        ...(toolUses.length > 0 ? { tool_calls: toolUses.map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } })) } : {}),
      });
    }
  }
  const wire: WireRequest = { model: body.model ?? '', messages, max_tokens: body.max_tokens };
  if (body.tools) wire.tools = body.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } }));
  return wire;
}

const STOP: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

/** A completion as a Messages API answer: thinking first, then text, then tool uses. */
export function messageOfCompletion(completion: Completion, model: string, id: string, reasoning: string | null): Record<string, unknown> {
  const content: Block[] = [];
  if (reasoning !== null) content.push({ type: 'thinking', thinking: reasoning, signature: `mock-${id}` });
  if (completion.text !== '') content.push({ type: 'text', text: completion.text });
  for (const raw of completion.message.tool_calls ?? []) {
    const call = raw as { id: string; function: { name: string; arguments: string } };
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: JSON.parse(call.function.arguments) as unknown });
  }
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: STOP[completion.finish_reason ?? 'stop'] ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens },
  };
}
