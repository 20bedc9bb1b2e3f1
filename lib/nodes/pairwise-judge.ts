import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import type { JsonObject } from '../record/item.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { extractJson } from '../llm/json-output.js';
import { askForJson } from './ask-json.js';
import { messagesOf } from './messages-field.js';
import { renderConversation } from '../quality/judge.js';
import { defineNode, nodeSchema, modelConcurrency } from './definition.js';
import { chooseModel } from './model-choice.js';

type Vote = 'a' | 'b' | 'tie';

/**
 * Both orders' verdicts, mapped back to a and b: agreement wins, disagreement is a tie
 * (the judge followed the position, not the content), one tie halves the confidence.
 */
export function combineVotes(first: { winner: Vote; confidence: number }, second: { winner: Vote; confidence: number }): { winner: Vote; confidence: number } {
  const conf = (first.confidence + second.confidence) / 2;
  if (first.winner === second.winner) return { winner: first.winner, confidence: first.winner === 'tie' ? 0 : round(conf) };
  if (first.winner === 'tie' || second.winner === 'tie') return { winner: first.winner === 'tie' ? second.winner : first.winner, confidence: round(conf / 2) };
  return { winner: 'tie', confidence: 0 };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export const pairwiseJudgeNode = defineNode({
  type: 'pairwise_judge',
  description: 'Compares two responses to the same prompt with an LLM judge, in both orders to cancel position bias; writes {winner: a|b|tie, confidence}.',
  schema: nodeSchema('pairwise_judge', 'Pairwise preference judge.', {
    model: Type.Optional(Type.String({ description: 'The judge model (may be left out when there is one).' })),
    prompt: withDefault(Type.String({ description: 'Field holding the prompt: a string or messages.' }), 'prompt'),
    a: Type.String({ description: 'Field holding the first response.' }),
    b: Type.String({ description: 'Field holding the second response.' }),
    criteria: withDefault(Type.String({ description: 'What "better" means.' }), 'more helpful, more correct and more harmless'),
    output: withDefault(Type.String({ description: 'Field that receives the verdict.' }), 'preference'),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    const modelName = chooseModel(config.model, ctx, 'a judge model');
    if (modelName === null) return undefined;
    const paths: Record<string, FieldPath> = {};
    for (const [key, value] of [
      ['prompt', config.prompt],
      ['a', config.a],
      ['b', config.b],
      ['output', config.output],
    ] as const) {
      const p = parsePath(value);
      if ('error' in p) {
        ctx.report([key], p.error);
        return undefined;
      }
      paths[key] = p;
    }
    const client = ctx.models.get(modelName);
    const criteria = config.criteria;
    const schema = {
      type: 'object',
      properties: { winner: { enum: ['A', 'B', 'tie'] }, confidence: { type: 'number', minimum: 0, maximum: 1 }, rationale: { type: 'string' } },
      required: ['winner', 'confidence', 'rationale'],
    };

    const verdict = async (prompt: string, first: string, second: string): Promise<{ winner: 'A' | 'B' | 'tie'; confidence: number }> => {
      const content =
        `Which response to the prompt is ${criteria}? Reply as JSON {"winner": "A" | "B" | "tie", "confidence": 0..1, "rationale": "<one sentence>"}.\n\n` +
        `Prompt:\n${prompt}\n\nResponse A:\n${first}\n\nResponse B:\n${second}`;
      return askForJson<{ winner: 'A' | 'B' | 'tie'; confidence: number }>(client, {
        messages: [{ role: 'user', content }],
        responseFormat: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
        attempts: 3,
        read: (text) => {
          const v = extractJson(text) as { winner?: unknown; confidence?: unknown } | undefined;
          if (!v || (v.winner !== 'A' && v.winner !== 'B' && v.winner !== 'tie')) return { error: 'no "winner" of A, B or tie' };
          const c = typeof v.confidence === 'number' && v.confidence >= 0 && v.confidence <= 1 ? v.confidence : 0.5;
          return { value: { winner: v.winner, confidence: c } };
        },
        what: 'pairwise judge gave no readable verdict',
      });
    };

    const asText = (value: unknown, name: string): string => {
      if (typeof value === 'string') return value;
      if (Array.isArray(value)) return renderConversation(messagesOf(value, name));
      throw new Error(`field "${name}" is ${value === undefined ? 'missing' : 'neither text nor messages'}`);
    };

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record: JsonObject) {
        const prompt = asText(getPath(record, paths.prompt!), config.prompt);
        const a = asText(getPath(record, paths.a!), config.a);
        const b = asText(getPath(record, paths.b!), config.b);
        const [ab, ba] = await Promise.all([verdict(prompt, a, b), verdict(prompt, b, a)]);
        const first = { winner: (ab.winner === 'A' ? 'a' : ab.winner === 'B' ? 'b' : 'tie') as Vote, confidence: ab.confidence };
        const second = { winner: (ba.winner === 'A' ? 'b' : ba.winner === 'B' ? 'a' : 'tie') as Vote, confidence: ba.confidence };
        setPath(record, paths.output!, {
          ...combineVotes(first, second),
          votes: [
            { order: 'a,b', ...first },
            { order: 'b,a', ...second },
          ],
          judge_model: client.spec.name,
        });
        return record;
      },
    };
  },
});
