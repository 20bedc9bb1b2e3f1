import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import type { PromptLogprobs } from '../llm/types.js';
import { defineNode, nodeSchema, modelConcurrency } from './definition.js';
import { chooseModel } from './model-choice.js';

/** What separates the instruction from the answer in the conditioned text. */
const SEPARATOR = '\n\n';

export const ifdNode = defineNode({
  type: 'ifd',
  description:
    'Instruction-following difficulty (Li et al., 2023): the perplexity of the answer given the instruction over its perplexity alone, from prompt log-probabilities (POST /completions with echo). Near or above 1: the instruction hardly helps.',
  schema: nodeSchema('ifd', 'Instruction-following difficulty.', {
    model: Type.Optional(Type.String({ description: 'A model served with prompt log-probabilities (from `models`).' })),
    messages: withDefault(Type.String({ description: 'Field holding the conversation: the first user turn is the instruction, the last assistant turn the answer.' }), 'messages'),
    instruction: Type.Optional(Type.String({ description: 'Or: a text field holding the instruction.' })),
    response: Type.Optional(Type.String({ description: 'With `instruction`: the text field holding the answer.' })),
    output: withDefault(Type.String({ description: 'Field that receives {ifd, ppl_conditioned, ppl_answer}.' }), 'quality.ifd'),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    const model = chooseModel(config.model, ctx, 'a model with prompt log-probabilities');
    if ((config.instruction === undefined) !== (config.response === undefined))
      ctx.report([config.instruction ? 'response' : 'instruction'], 'give both `instruction` and `response`, or neither (then `messages` is read)');
    const paths = {
      messages: parsePath(config.messages),
      instruction: config.instruction ? parsePath(config.instruction) : null,
      response: config.response ? parsePath(config.response) : null,
      output: parsePath(config.output),
    };
    let bad = false;
    for (const [key, p] of Object.entries(paths)) {
      if (p && 'error' in p) {
        ctx.report([key], p.error);
        bad = true;
      }
    }
    if (!model || bad || (config.instruction === undefined) !== (config.response === undefined)) return undefined;
    const client = ctx.models.get(model);

    const texts = (record: JsonObject): { instruction: string; answer: string } => {
      if (paths.instruction && paths.response) {
        const instruction = getPath(record, paths.instruction as FieldPath);
        const answer = getPath(record, paths.response as FieldPath);
        if (typeof instruction !== 'string' || typeof answer !== 'string') throw new Error(`fields "${config.instruction}" and "${config.response}" must both be text`);
        return { instruction, answer };
      }
      const messages = getPath(record, paths.messages as FieldPath);
      const turns = Array.isArray(messages) ? messages.filter(isJsonObject) : [];
      const instruction = turns.find((m) => m.role === 'user')?.content;
      const answer = [...turns].reverse().find((m) => m.role === 'assistant')?.content;
      if (typeof instruction !== 'string' || typeof answer !== 'string') throw new Error(`field "${config.messages}" needs a user turn and an assistant turn with text`);
      return { instruction, answer };
    };

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record) {
        const { instruction, answer } = texts(record);
        const prefix = instruction + SEPARATOR;
        const [conditioned, alone] = await Promise.all([client.promptLogprobs(prefix + answer), client.promptLogprobs(answer)]);
        const pplConditioned = perplexity(conditioned, prefix.length);
        const pplAnswer = perplexity(alone, 0);
        if (pplConditioned === null || pplAnswer === null) throw new Error('the answer is too short to measure (no token with a log-probability)');
        setPath(record, paths.output as FieldPath, { ifd: round(pplConditioned / pplAnswer), ppl_conditioned: round(pplConditioned), ppl_answer: round(pplAnswer) });
        return record;
      },
    };
  },
});

/** exp(mean negative log-probability) of the tokens starting at or after `from`. */
export function perplexity(p: PromptLogprobs, from: number): number | null {
  let sum = 0;
  let n = 0;
  p.offsets.forEach((offset, i) => {
    const lp = p.logprobs[i];
    if (offset >= from && typeof lp === 'number') {
      sum -= lp;
      n++;
    }
  });
  return n === 0 ? null : Math.exp(sum / n);
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
