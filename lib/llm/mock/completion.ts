import { canonicalJson, sha256 } from '../canonical.js';
import { seededRandom } from '../../random/seeded.js';
import { estimateTokens, textOf } from '../tokens.js';
import type { Completion } from '../types.js';
import type { WireRequest } from '../wire.js';

const WORDS = ('data model answer careful example useful clear step result method simple detail reason ' + 'because therefore first second finally context question value stream record quality').split(
  ' ',
);

/**
 * The built-in deterministic model: the same request body always gets the same answer,
 * with no network. The in-process mock provider and the mock server both answer with it,
 * so a graph gives the same output against either.
 */
export function mockCompletion(request: WireRequest): Completion {
  const digest = sha256(canonicalJson(request));
  const rand = seededRandom(digest);
  const prompt_tokens = estimateTokens(request.messages);
  const schema = jsonSchemaOf(request.response_format);
  const toolCall = mockToolCall(request, digest, rand);
  if (toolCall) {
    return {
      text: '',
      finish_reason: 'tool_calls',
      usage: { prompt_tokens, completion_tokens: 12 },
      message: { role: 'assistant', content: null, tool_calls: [toolCall] },
    };
  }
  let text: string;
  if (schema) {
    text = JSON.stringify(sampleSchema(schema, rand, 0));
  } else {
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const topic = textOf(last).replace(/\s+/g, ' ').trim().slice(0, 60);
    const toolResults = request.messages.filter((m) => m.role === 'tool').map((m) => textOf(m).slice(0, 80));
    const words = Array.from({ length: 12 + Math.floor(rand() * 40) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    text = `Mock answer ${digest.slice(0, 8)} about "${topic}": ${words.join(' ')}.`;
    if (toolResults.length > 0) text += ` Tool results: ${toolResults.join('; ')}.`;
  }
  let finish_reason = 'stop';
  const maxTokens = typeof request.max_tokens === 'number' ? request.max_tokens : undefined;
  if (!schema && maxTokens !== undefined && Math.ceil(text.length / 4) > maxTokens) {
    text = text.slice(0, Math.max(1, maxTokens * 4));
    finish_reason = 'length';
  }
  return {
    text,
    finish_reason,
    usage: { prompt_tokens, completion_tokens: Math.ceil(text.length / 4) },
    message: { role: 'assistant', content: text },
  };
}

/**
 * With tools offered and no tool result since the last user turn, the mock calls one tool
 * (chosen from the request's digest) with arguments drawn from its parameter schema
 * (`default` and `examples` are used when given); once results are there, it answers.
 */
function mockToolCall(request: WireRequest, digest: string, rand: () => number): { id: string; type: 'function'; function: { name: string; arguments: string } } | null {
  const tools = Array.isArray(request.tools) ? (request.tools as Array<{ function?: { name?: string; parameters?: Schema } }>) : [];
  if (tools.length === 0) return null;
  const lastUser = request.messages.map((m) => m.role).lastIndexOf('user');
  if (request.messages.slice(lastUser + 1).some((m) => m.role === 'tool')) return null;
  const tool = tools[parseInt(digest.slice(8, 12), 16) % tools.length]!.function;
  if (!tool?.name) return null;
  const args = sampleSchema(tool.parameters ?? { type: 'object', properties: {} }, rand, 0);
  return { id: `call_${digest.slice(0, 12)}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(args) } };
}

function jsonSchemaOf(format: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (format?.type !== 'json_schema') return undefined;
  const inner = format.json_schema as { schema?: Record<string, unknown> } | undefined;
  return inner?.schema;
}

type Schema = Record<string, unknown>;

/** A value that satisfies the common JSON Schema keywords, chosen by `rand`. */
export function sampleSchema(schema: Schema, rand: () => number, depth: number): unknown {
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[Math.floor(rand() * schema.examples.length)];
  if (Array.isArray(schema.enum)) return schema.enum[Math.floor(rand() * schema.enum.length)];
  const choices = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (choices?.length) return sampleSchema(choices[0]!, rand, depth);
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(props)) out[k] = depth > 6 ? null : sampleSchema(s, rand, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
      const n = min + Math.floor(rand() * (max - min + 1));
      const items = (schema.items ?? { type: 'string' }) as Schema;
      return Array.from({ length: n }, () => sampleSchema(items, rand, depth + 1));
    }
    case 'integer':
    case 'number': {
      const lo = num(schema.minimum) ?? (num(schema.exclusiveMinimum) !== undefined ? num(schema.exclusiveMinimum)! + 1 : 0);
      const hi = num(schema.maximum) ?? (num(schema.exclusiveMaximum) !== undefined ? num(schema.exclusiveMaximum)! - 1 : lo + 100);
      const v = lo + rand() * (hi - lo);
      return type === 'integer' ? Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(v))) : Math.round(v * 100) / 100;
    }
    case 'boolean':
      return rand() < 0.5;
    case 'null':
      return null;
    default: {
      const words = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
      let s = words.join(' ');
      const minLength = num(schema.minLength) ?? 0;
      while (s.length < minLength) s += ` ${WORDS[Math.floor(rand() * WORDS.length)]}`;
      const maxLength = num(schema.maxLength);
      return maxLength !== undefined ? s.slice(0, maxLength) : s;
    }
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The built-in model's raw completion of a prompt (`/completions`): deterministic text drawn
 * from the request, like its chat answers. Given a chat template's opening of a user turn
 * (Magpie), it writes something a user might ask.
 */
export function mockTextCompletion(body: Record<string, unknown>): Completion {
  const digest = sha256(canonicalJson(body));
  const rand = seededRandom(digest);
  const words = Array.from({ length: 8 + Math.floor(rand() * 16) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  let text = `Mock question ${digest.slice(0, 8)}: how would you explain the ${words.join(' ')}?`;
  let finish_reason = 'stop';
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
  if (maxTokens !== undefined && Math.ceil(text.length / 4) > maxTokens) {
    text = text.slice(0, Math.max(1, maxTokens * 4));
    finish_reason = 'length';
  }
  const prompt_tokens = Math.ceil(String(body.prompt ?? '').length / 4);
  return { text, finish_reason, usage: { prompt_tokens, completion_tokens: Math.ceil(text.length / 4) }, message: { role: 'assistant', content: text } };
}
