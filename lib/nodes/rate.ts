import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { extractJson } from '../llm/json-output.js';
import { canonicalJson, sha256 } from '../llm/canonical.js';
import { seededRandom } from '../random/seeded.js';
import { renderConversation } from '../quality/judge.js';
import { askForJson } from './ask-json.js';
import { defineNode, Dropped, modelConcurrency, nodeSchema } from './definition.js';
import { messagesOf } from './messages-field.js';
import { chooseModel } from './model-choice.js';

/** UltraFeedback's four aspects, in our words. */
const ASPECTS: Record<string, string> = {
  instruction_following: 'Does the response do what the prompt asks, in the form it asks for?',
  helpfulness: 'Is the response useful, complete and clear for the person asking?',
  honesty: 'Does the response express the right amount of confidence, and admit what it does not know?',
  truthfulness: 'Is what the response states correct, with nothing invented?',
};

export interface Rating {
  response: number;
  scores: Record<string, number>;
  rationales: Record<string, string>;
  overall: number;
}

export const rateNode = defineNode({
  type: 'rate',
  description:
    "Rates k responses to one prompt in one request on named aspects (UltraFeedback style): writes each response's scores and rationales, and a DPO pair (the best response against a worse one, at least `margin` below).",
  schema: nodeSchema('rate', 'Rates several responses to one prompt.', {
    model: Type.Optional(Type.String({ description: 'The rating model (may be left out when there is one).' })),
    prompt: withDefault(Type.String({ description: 'Field holding the prompt: a string or messages.' }), 'prompt'),
    responses: withDefault(Type.String({ description: 'Field holding the responses: an array of 2 or more strings.' }), 'responses'),
    aspects: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
        description: "Aspect name → what it asks (UltraFeedback's instruction_following, helpfulness, honesty and truthfulness unless given).",
      }),
    ),
    scale: withDefault(Type.Tuple([Type.Integer(), Type.Integer()], { description: 'Lowest and highest score of every aspect.' }), [1, 5]),
    output: withDefault(Type.String({ description: 'Field that receives the ratings: [{response, scores, rationales, overall}].' }), 'ratings'),
    pair: withDefault(Type.Boolean({ description: 'Also write a DPO pair into `chosen` and `rejected`; a record with no pair at the margin is filtered.' }), true),
    margin: withDefault(Type.Number({ exclusiveMinimum: 0, description: 'How far below the best (in overall score) the rejected response must be.' }), 1),
    rejected: withDefault(
      Type.Union([Type.Literal('random'), Type.Literal('lowest')], { description: 'Which of the responses at the margin is rejected: one at random (as UltraFeedback was binarized), or the lowest.' }),
      'random',
    ),
    chosen_to: withDefault(Type.String({ description: 'Field for the chosen response.' }), 'chosen'),
    rejected_to: withDefault(Type.String({ description: 'Field for the rejected response.' }), 'rejected'),
    json_retries: withDefault(Type.Integer({ minimum: 0, maximum: 10, description: 'Extra attempts when the ratings cannot be read or are out of range.' }), 2),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    const modelName = chooseModel(config.model, ctx, 'a rating model');
    const paths: Record<string, FieldPath> = {};
    let ok = modelName !== null;
    for (const key of ['prompt', 'responses', 'output', 'chosen_to', 'rejected_to'] as const) {
      const p = parsePath(config[key]);
      if ('error' in p) {
        ctx.report([key], p.error);
        ok = false;
      } else paths[key] = p;
    }
    const [low, high] = config.scale;
    if (!(low < high)) {
      ctx.report(['scale'], 'the scale must go from a lower to a higher number');
      ok = false;
    }
    if (!ok || modelName === null) return undefined;
    const client = ctx.models.get(modelName);
    const aspects = Object.entries(config.aspects ?? ASPECTS);

    const schemaFor = (k: number): Record<string, unknown> => {
      const aspect = {
        type: 'object',
        properties: { rationale: { type: 'string' }, score: { type: 'integer', minimum: low, maximum: high } },
        required: ['rationale', 'score'],
        additionalProperties: false,
      };
      const rating = { type: 'object', properties: Object.fromEntries(aspects.map(([name]) => [name, aspect])), required: aspects.map(([name]) => name), additionalProperties: false };
      const labels = Array.from({ length: k }, (_, i) => String(i + 1));
      return { type: 'object', properties: Object.fromEntries(labels.map((l) => [l, rating])), required: labels, additionalProperties: false };
    };

    const ask = (prompt: string, responses: readonly string[]): Promise<Rating[]> => {
      const criteria = aspects.map(([name, what]) => `- ${name} (${low} to ${high}): ${what}`).join('\n');
      const listed = responses.map((r, i) => `[Response ${i + 1}]\n${r}`).join('\n\n');
      const shape = `{"1": {${aspects.map(([name]) => `"${name}": {"rationale": "<one sentence>", "score": <${low}-${high}>}`).join(', ')}}, "2": {…}, …}`;
      const content =
        `Rate each of the ${responses.length} responses to the prompt below on every aspect, each response on its own merits and with the same standard for all. ` +
        `For each aspect first write a one-sentence rationale, then the score. Reply with one JSON object and nothing else, keyed by response number, shaped as: ${shape}\n\n` +
        `Aspects:\n${criteria}\n\nPrompt:\n${prompt}\n\n${listed}`;
      return askForJson(client, {
        messages: [
          { role: 'system', content: 'You are a careful, consistent rater of responses for preference data.' },
          { role: 'user', content },
        ],
        responseFormat: { type: 'json_schema', json_schema: { name: 'ratings', schema: schemaFor(responses.length), strict: true } },
        attempts: config.json_retries + 1,
        read: (text) =>
          readRatings(
            extractJson(text),
            responses.length,
            aspects.map(([name]) => name),
            low,
            high,
          ),
        what: `rater "${client.spec.name}" gave no usable ratings`,
      });
    };

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record: JsonObject) {
        const promptValue = getPath(record, paths.prompt!);
        const prompt = typeof promptValue === 'string' ? promptValue : Array.isArray(promptValue) ? renderConversation(messagesOf(promptValue, config.prompt)) : null;
        if (prompt === null) throw new Error(`field "${config.prompt}" is ${promptValue === undefined ? 'missing' : 'neither text nor messages'}`);
        const responses = getPath(record, paths.responses!);
        if (!Array.isArray(responses) || responses.length < 2 || !responses.every((r) => typeof r === 'string')) {
          throw new Error(`field "${config.responses}" must hold 2 or more responses as strings`);
        }
        const ratings = await ask(prompt, responses as string[]);
        setPath(record, paths.output!, ratings);
        if (!config.pair) return record;
        const best = ratings.reduce((a, b) => (b.overall > a.overall ? b : a));
        const worse = ratings.filter((r) => r.overall <= best.overall - config.margin && responses[r.response - 1] !== responses[best.response - 1]);
        if (worse.length === 0) return new Dropped(`no response rates ${config.margin} below the best (${best.overall})`);
        // Drawn from the record's content and the run's seed: the same pair on every run, whatever the order.
        const draw = seededRandom(sha256(`${ctx.seed}:${canonicalJson(responses)}`));
        const rejected = config.rejected === 'lowest' ? worse.reduce((a, b) => (b.overall < a.overall ? b : a)) : worse[Math.floor(draw() * worse.length)]!;
        setPath(record, paths.chosen_to!, responses[best.response - 1]);
        setPath(record, paths.rejected_to!, responses[rejected.response - 1]);
        return record;
      },
    };
  },
});

/** The ratings in an answer, every response on every aspect within the scale; else why not. */
export function readRatings(value: unknown, k: number, aspects: readonly string[], low: number, high: number): { value: Rating[] } | { error: string } {
  if (!isJsonObject(value)) return { error: 'the answer is not a JSON object' };
  const ratings: Rating[] = [];
  for (let i = 1; i <= k; i++) {
    const entry = value[String(i)];
    if (!isJsonObject(entry)) return { error: `no rating for response ${i}` };
    const scores: Record<string, number> = {};
    const rationales: Record<string, string> = {};
    for (const aspect of aspects) {
      const a = entry[aspect];
      const score = isJsonObject(a) ? a.score : a;
      if (typeof score !== 'number' || !Number.isInteger(score) || score < low || score > high) return { error: `response ${i}: "${aspect}" is not a whole number from ${low} to ${high}` };
      scores[aspect] = score;
      rationales[aspect] = isJsonObject(a) && typeof a.rationale === 'string' ? a.rationale : '';
    }
    const overall = Math.round((Object.values(scores).reduce((x, y) => x + y, 0) / aspects.length) * 100) / 100;
    ratings.push({ response: i, scores, rationales, overall });
  }
  return { value: ratings };
}
