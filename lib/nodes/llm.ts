import { Type } from '@sinclair/typebox';
import { withComputedDefault, withDefault } from '../config/defaults.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import type { JsonObject } from '../record/item.js';
import { compileJsonSchema, extractJson, type JsonCheck } from '../llm/json-output.js';
import { compileTemplate } from '../llm/template.js';
import type { ChatMessage, ContentPart } from '../llm/types.js';
import { defineNode, nodeSchema, modelConcurrency, problemTally } from './definition.js';
import { askForJson } from './ask-json.js';
import { messagesOf, type AnyMessage } from './messages-field.js';
import { chooseModel } from './model-choice.js';

const TextPart = Type.Object({ type: Type.Literal('text'), text: Type.String() }, { additionalProperties: false });
const ImagePart = Type.Object(
  { type: Type.Literal('image_url'), image_url: Type.Object({ url: Type.String(), detail: Type.Optional(Type.String()) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
const AudioPart = Type.Object(
  { type: Type.Literal('input_audio'), input_audio: Type.Object({ data: Type.String(), format: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
);
const MessageSchema = Type.Object(
  {
    role: Type.String({ description: 'system, user, assistant, ...' }),
    content: Type.Union([Type.String(), Type.Array(Type.Union([TextPart, ImagePart, AudioPart]))], {
      description: 'Text with {field} placeholders ({{ and }} for literal braces), or an array of parts.',
    }),
  },
  { additionalProperties: false },
);

/** A message template: its role and a way to render content from a record. */
interface MessageTemplate {
  role: string;
  render(record: JsonObject): ChatMessage['content'];
}

export const llmNode = defineNode({
  type: 'llm',
  description: 'Asks a model (OpenAI-compatible chat completions) and stores the answer (text, or a validated JSON object) on the record.',
  schema: nodeSchema('llm', 'Calls a chat model.', {
    model: Type.Optional(Type.String({ description: 'A name under `models:`; may be left out when there is only one.' })),
    messages: Type.Optional(Type.Array(MessageSchema, { description: 'Message templates, rendered per record.' })),
    messages_from: Type.Optional(Type.String({ description: 'Record field holding a messages array (multi-turn input), sent after `messages`.' })),
    output: withComputedDefault(Type.String({ description: 'Field that receives the answer; dotted paths allowed.' }), '"output", or none with `append_to`'),
    reasoning_to: withComputedDefault(
      Type.String({ description: "Field that receives a reasoning model's thinking (reasoning_content, reasoning, thinking blocks, a leading <think>…</think>), kept out of the answer." }),
      '"<output>_reasoning"',
    ),
    append_to: Type.Optional(Type.String({ description: 'Also append the answer to this messages array as {role, content}: multi-turn state.' })),
    role: withDefault(Type.String({ description: 'The role of appended answers.' }), 'assistant'),
    role_swap: Type.Optional(Type.Boolean({ description: 'Present messages_from with user and assistant swapped: for a model playing the user.' })),
    json_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Ask for JSON matching this schema; the parsed, validated object is stored.' })),
    json_retries: withDefault(Type.Integer({ minimum: 0, maximum: 10, description: 'Extra attempts when the answer is not valid JSON for the schema.' }), 2),
    n: withDefault(Type.Integer({ minimum: 1, maximum: 128, description: 'Samples per record; with n > 1 the output is an array.' }), 1),
    params: withDefault(Type.Record(Type.String(), Type.Unknown(), { description: "Sampling parameters over the model's own." }), {}),
    concurrency: modelConcurrency(),
  }),
  async compile(config, ctx) {
    const problems = problemTally(ctx);
    const report = problems.report;
    const modelName = chooseModel(config.model, ctx, 'a model');
    if (!config.messages && !config.messages_from) report([], 'an llm node needs `messages` or `messages_from`');

    const templates: MessageTemplate[] = [];
    (config.messages ?? []).forEach((m, i) => {
      const t = compileMessage(m.role, m.content, (path, msg) => report(['messages', i, ...path], msg));
      if (t) templates.push(t);
    });
    let historyPath: FieldPath | null = null;
    if (config.messages_from) {
      const p = parsePath(config.messages_from);
      if ('error' in p) report(['messages_from'], p.error);
      else historyPath = p;
    }
    const outputPath = config.output === undefined && config.append_to !== undefined ? null : parsePath(config.output ?? 'output');
    if (outputPath && 'error' in outputPath) report(['output'], outputPath.error);
    const reasoningPath = parsePath(config.reasoning_to ?? `${config.output ?? config.append_to ?? 'output'}_reasoning`);
    if ('error' in reasoningPath) report(['reasoning_to'], reasoningPath.error);
    const appendPath = config.append_to === undefined ? null : parsePath(config.append_to);
    if (appendPath && 'error' in appendPath) report(['append_to'], appendPath.error);
    if (appendPath && config.n > 1) report(['append_to'], 'append_to takes one answer: leave n at 1');
    let check: JsonCheck | null = null;
    if (config.json_schema) {
      const compiled = await compileJsonSchema(config.json_schema);
      if ('error' in compiled) report(['json_schema'], compiled.error);
      else check = compiled;
    }
    if (problems.count > 0 || modelName === null || (outputPath && 'error' in outputPath) || (appendPath && 'error' in appendPath) || 'error' in reasoningPath) return undefined;

    const client = ctx.models.get(modelName);
    if (client.spec.seedTurn === null) {
      const why = alternationRisk(
        (config.messages ?? []).map((m) => m.role),
        config.messages_from !== undefined,
        config.role_swap === true,
      );
      if (why) ctx.warn([], `model "${modelName}" has strict_alternation off, and ${why}: the chat templates of Mistral, Gemma or Llama 2 refuse such requests`);
    }
    const samples = config.n;
    const jsonAttempts = config.json_retries + 1;
    const params = config.params;
    const responseFormat = config.json_schema ? { type: 'json_schema', json_schema: { name: 'output', schema: config.json_schema, strict: true } } : undefined;

    /** A sample's answer, and the model's reasoning when it sent any (kept apart from the answer). */
    const sample = async (messages: ChatMessage[], index: number): Promise<{ answer: unknown; reasoning?: string }> => {
      if (!check) {
        const completion = await client.chat({ messages, params, sample: index });
        return { answer: completion.text, reasoning: completion.reasoning };
      }
      const valid = check;
      const answer = await askForJson(client, {
        messages,
        params,
        responseFormat,
        attempts: jsonAttempts,
        // Sample indexes past the n samples: each retry is a request of its own.
        sampleOf: (attempt) => index + attempt * samples,
        read: (raw) => {
          const value = extractJson(raw);
          const failure = value === undefined ? 'answer is not JSON' : valid(value);
          return failure ? { error: failure } : { value };
        },
        what: 'no valid JSON',
      });
      return { answer };
    };

    /** Puts the answers on the record: the output field, reasoning, the appended turn. */
    const store = (record: JsonObject, results: Array<{ answer: unknown; reasoning?: string }>): JsonObject => {
      const answer = samples === 1 ? results[0]!.answer : results.map((r) => r.answer);
      if (outputPath && !('error' in outputPath)) setPath(record, outputPath, answer);
      if (results.some((r) => r.reasoning !== undefined)) setPath(record, reasoningPath, samples === 1 ? results[0]!.reasoning : results.map((r) => r.reasoning ?? null));
      if (appendPath && !('error' in appendPath)) {
        const list = getPath(record, appendPath);
        const reasoning = samples === 1 ? results[0]!.reasoning : undefined;
        const turn = { role: config.role, content: typeof answer === 'string' ? answer : JSON.stringify(answer), ...(reasoning === undefined ? {} : { reasoning_content: reasoning }) };
        if (Array.isArray(list)) list.push(turn);
        else if (list === undefined) setPath(record, appendPath, [turn]);
        else throw new Error(`append_to: field "${config.append_to}" is not an array`);
      }
      return record;
    };

    const topLevel = (path: FieldPath | { error: string } | null): string | null => (path !== null && !('error' in path) && path.length === 1 ? path[0]! : null);
    const outputField = topLevel(outputPath);
    const reasoningField = topLevel(reasoningPath);
    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      // The answer (and any reasoning) in top-level fields, nothing else changed: a record
      // is written as its input line with them appended.
      writes: appendPath === null && outputField !== null && reasoningField !== null ? [outputField, reasoningField] : undefined,
      run(record) {
        const messages: ChatMessage[] = templates.map((t) => ({ role: t.role, content: t.render(record) }));
        if (historyPath) messages.push(...historyFrom(record, historyPath, config.messages_from!, config.role_swap === true));
        // An answer the cache has at hand is stored at once: no promise for the record.
        const atHand = samples === 1 && !check ? client.cachedChat({ messages, params, sample: 0 }) : undefined;
        if (atHand) return store(record, [{ answer: atHand.text, reasoning: atHand.reasoning }]);
        const asked = samples === 1 ? sample(messages, 0).then((r) => [r]) : Promise.all(Array.from({ length: samples }, (_, i) => sample(messages, i)));
        return asked.then((results) => store(record, results));
      },
    };
  },
});

function compileMessage(role: string, content: string | Array<ContentPart>, report: (path: Array<string | number>, message: string) => void): MessageTemplate | null {
  if (typeof content === 'string') {
    const t = compileTemplate(content);
    if ('error' in t) {
      report(['content'], t.error);
      return null;
    }
    return { role, render: (r) => t.render(r) };
  }
  const parts: Array<(r: JsonObject) => ContentPart> = [];
  let ok = true;
  content.forEach((part, i) => {
    if (part.type === 'text') {
      const t = compileTemplate(part.text);
      if ('error' in t) {
        report(['content', i, 'text'], t.error);
        ok = false;
      } else parts.push((r) => ({ type: 'text', text: t.render(r) }));
    } else if (part.type === 'image_url') {
      const t = compileTemplate(part.image_url.url);
      if ('error' in t) {
        report(['content', i, 'image_url', 'url'], t.error);
        ok = false;
      } else parts.push((r) => ({ type: 'image_url', image_url: { ...part.image_url, url: t.render(r) } }));
    } else parts.push(() => part);
  });
  return ok ? { role, render: (r) => parts.map((p) => p(r)) } : null;
}

const SWAPPED: Record<string, string> = { user: 'assistant', assistant: 'user' };

/** The messages array a record carries for multi-turn input, checked shape by shape; `swap` trades user and assistant. */
function historyFrom(record: JsonObject, path: FieldPath, name: string, swap = false): ChatMessage[] {
  let history: AnyMessage[];
  try {
    history = messagesOf(getPath(record, path), name, { parts: true });
  } catch (err) {
    throw new Error(`messages_from: ${(err as Error).message}`);
  }
  return history.map((m) => ({ role: swap ? (SWAPPED[m.role] ?? m.role) : m.role, content: m.content as ChatMessage['content'] }));
}

/**
 * Why requests of an llm node may break user/assistant alternation (seen from its config
 * alone), or null: only what is certain from the templates, or likely from a swapped history.
 */
export function alternationRisk(roles: readonly string[], history: boolean, swapped: boolean): string | null {
  const turns = roles.filter((r) => r !== 'system' && r !== 'developer');
  for (let i = 1; i < turns.length; i++) if (turns[i] === turns[i - 1]) return `its messages hold two ${turns[i]} turns in a row`;
  if (turns[0] === 'assistant') return 'its first turn after the system prompt is the assistant';
  if (turns.length === 0 && !history) return 'its requests hold only a system prompt';
  if (turns.length === 0 && swapped) return 'with role_swap the history it sends starts with an assistant turn';
  if (history && turns.at(-1) === 'user' && !swapped) return 'its last message is a user turn and the history it sends after it starts with one';
  return null;
}
