import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { extractJson } from '../llm/json-output.js';
import { compileExpression, type Expression } from './expression.js';
import { defineNode, Dropped, nodeSchema, modelConcurrency } from './definition.js';
import { askForJson } from './ask-json.js';
import { messagesOf, type Message } from './messages-field.js';

/** What the model is asked to find: the personal data that rules cannot see. */
export const LLM_PII_KINDS = ['name', 'address', 'id_number', 'date_of_birth'] as const;
export type LlmPiiKind = (typeof LLM_PII_KINDS)[number];

const PLACEHOLDERS: Readonly<Record<LlmPiiKind, string>> = { name: '[NAME]', address: '[ADDRESS]', id_number: '[ID]', date_of_birth: '[DATE_OF_BIRTH]' };

const INSTRUCTIONS = `You find personal data about private individuals in text, for removal from a training set.
List every span that is one of: name (a private person's name; not public figures, authors, companies or fictional characters), address (a street address or a precise home location), id_number (passport, licence, national or account numbers), date_of_birth.
Copy each span exactly as it is written. If there is none, answer with an empty list.
Answer as JSON: {"items": [{"kind": "<kind>", "text": "<span>"}]}.`;

const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: { type: 'object', properties: { kind: { enum: [...LLM_PII_KINDS] }, text: { type: 'string' } }, required: ['kind', 'text'], additionalProperties: false },
    },
  },
  required: ['items'],
  additionalProperties: false,
};

export interface FoundSpan {
  kind: LlmPiiKind;
  text: string;
}

/**
 * The spans of a model's answer that really occur in the texts: a span the model made up,
 * or copied wrong, is dropped, so redaction only ever replaces text that is there.
 * Returns null when the answer is not the JSON asked for.
 */
export function verifiedSpans(answer: string, texts: readonly string[]): FoundSpan[] | null {
  const parsed = extractJson(answer);
  if (!isJsonObject(parsed) || !Array.isArray(parsed.items)) return null;
  const spans: FoundSpan[] = [];
  for (const item of parsed.items) {
    if (!isJsonObject(item) || typeof item.text !== 'string' || !LLM_PII_KINDS.includes(item.kind as LlmPiiKind)) continue;
    const text = item.text.trim();
    if (text.length < 2 || !texts.some((t) => t.includes(text))) continue;
    if (!spans.some((s) => s.text === text)) spans.push({ kind: item.kind as LlmPiiKind, text });
  }
  return spans;
}

/** Replaces every occurrence of each span with its placeholder, longest spans first. */
export function redactSpans(text: string, spans: readonly FoundSpan[]): string {
  let out = text;
  for (const s of [...spans].sort((a, b) => b.text.length - a.text.length)) out = out.split(s.text).join(PLACEHOLDERS[s.kind]);
  return out;
}

export const piiLlmNode = defineNode({
  type: 'pii_llm',
  description:
    'Asks a model for the personal data rules cannot see (names, street addresses, id numbers, dates of birth); keeps only spans found verbatim in the text; writes quality.pii_llm, and redacts or filters on request.',
  schema: nodeSchema('pii_llm', 'LLM-found personal data.', {
    model: Type.Optional(Type.String({ description: 'The model to ask (may be left out when there is one).' })),
    target: withDefault(Type.String({ description: '"conversation" or the path of a text field.' }), 'conversation'),
    messages: withDefault(Type.String({ description: 'The messages field for target conversation.' }), 'messages'),
    redact: Type.Optional(Type.Boolean({ description: 'Replace what is found with [NAME], [ADDRESS], [ID], [DATE_OF_BIRTH].' })),
    mode: withDefault(Type.Union([Type.Literal('tag'), Type.Literal('filter')], { description: 'filter: drop records where anything is found.' }), 'tag'),
    only_if: Type.Optional(Type.String({ description: 'JS expression: ask only for records for which it is truthy (for example "record.quality.rules_passed").' })),
    json_retries: withDefault(Type.Integer({ minimum: 0, maximum: 10, description: 'Extra attempts when an answer is not the JSON asked for.' }), 2),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    let problems = 0;
    const name = config.model ?? ctx.models.defaultName() ?? '';
    if (!ctx.models.names().includes(name)) {
      problems++;
      ctx.report(config.model ? ['model'] : [], name === '' ? `name a model (one of: ${ctx.models.names().join(', ')})` : `no model named "${name}" (known: ${ctx.models.names().join(', ')})`);
    }
    const target = config.target;
    const textPath = target === 'conversation' ? null : parsePath(target);
    if (textPath && 'error' in textPath) {
      problems++;
      ctx.report(['target'], textPath.error);
    }
    const messagesPath = parsePath(config.messages);
    if ('error' in messagesPath) {
      problems++;
      ctx.report(['messages'], messagesPath.error);
    }
    let onlyIf: Expression | null = null;
    if (config.only_if) {
      const e = compileExpression(config.only_if);
      if ('error' in e) {
        problems++;
        ctx.report(['only_if'], e.error);
      } else onlyIf = e;
    }
    if (problems > 0) return undefined;
    const client = ctx.models.get(name);
    const attempts = config.json_retries + 1;
    const response_format = { type: 'json_schema', json_schema: { name: 'personal_data', schema: ANSWER_SCHEMA, strict: true } };

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record, rctx) {
        if (onlyIf && !onlyIf(record, rctx)) return record;
        let texts: string[];
        let turns: Message[] | null = null;
        if (textPath) {
          const v = getPath(record, textPath as FieldPath);
          if (typeof v !== 'string') throw new Error(`target field "${target}" is ${v === undefined ? 'missing' : 'not a string'}`);
          texts = [v];
        } else {
          turns = messagesOf(getPath(record, messagesPath as FieldPath), config.messages);
          texts = turns.map((t) => t.content);
        }
        // The record's text goes in as data, after the instructions, never into them.
        const subject = turns ? turns.map((t) => `[${t.role}]\n${t.content}`).join('\n\n') : texts[0]!;
        const messages = [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: subject },
        ];
        const spans = await askForJson<FoundSpan[]>(client, {
          messages,
          responseFormat: response_format,
          attempts,
          read: (raw) => {
            const found = verifiedSpans(raw, texts);
            return found ? { value: found } : { error: 'not the JSON asked for ({"items": [...]})' };
          },
          what: `model "${client.spec.name}" gave no readable answer`,
        });
        const counts: JsonObject = {};
        for (const s of spans) counts[s.kind] = ((counts[s.kind] as number | undefined) ?? 0) + 1;
        const quality: JsonObject = isJsonObject(record.quality) ? record.quality : {};
        quality.pii_llm = counts;
        record.quality = quality;
        if (config.redact && spans.length > 0) {
          if (turns) for (const t of turns) t.content = redactSpans(t.content, spans);
          else setPath(record, textPath as FieldPath, redactSpans(texts[0]!, spans));
        }
        if (config.mode === 'filter' && spans.length > 0) return new Dropped(`personal data found by the model: ${spans.map((s) => s.kind).join(', ')}`);
        return record;
      },
    };
  },
});
