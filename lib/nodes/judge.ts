import { Type } from '@sinclair/typebox';
import { applyDefaults, withComputedDefault, withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, type FieldPath } from '../record/path.js';
import type { ModelClient } from '../llm/model-client.js';
import {
  CATEGORY_RUBRICS,
  categoryRubric,
  judgeMessages,
  judgeSchema,
  overallScore,
  parseScores,
  placeholdersOf,
  renderConversation,
  type Criterion,
  type Scores,
  type Turn,
} from '../quality/judge.js';
import { didYouMean } from '../config/suggest.js';
import { compileExpression, type Expression } from './expression.js';
import { defineNode, Dropped, nodeSchema, modelConcurrency, problemTally } from './definition.js';
import { askForJson } from './ask-json.js';
import { messagesOf } from './messages-field.js';

const CriterionSchema = Type.Object(
  {
    scale: withDefault(Type.Tuple([Type.Number(), Type.Number()], { description: 'Lowest and highest score.' }), [1, 10]),
    weight: withDefault(Type.Number({ exclusiveMinimum: 0, description: 'Weight in quality.score.' }), 1),
    description: withComputedDefault(Type.String({ description: 'What the criterion asks, for the judge.' }), 'its name, with spaces for underscores'),
    allow_na: withDefault(Type.Boolean({ description: 'The judge may answer null when the criterion does not apply.' }), false),
  },
  { additionalProperties: false },
);

const CATEGORIES = Object.keys(CATEGORY_RUBRICS);

export const judgeNode = defineNode({
  type: 'judge',
  description: 'Scores a conversation (or text) with an LLM judge against a rubric; writes quality.judge and quality.score (1–10), or filters below a threshold.',
  schema: nodeSchema('judge', 'LLM-as-judge scoring.', {
    model: Type.Optional(Type.String({ description: 'The judge model (may be left out when there is one).' })),
    models: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Several judges: each is recorded, with the mean and the spread.' })),
    target: withDefault(Type.String({ description: '"conversation" or the path of a text field.' }), 'conversation'),
    messages: withDefault(Type.String({ description: 'The messages field for target conversation.' }), 'messages'),
    rubric: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), CriterionSchema, { description: 'Criterion name → scale, weight, description.' })),
    categories: Type.Optional(
      Type.Boolean({ description: "First classify the task (code, math, reasoning, closed_qa, open_qa, complex_instruction_following, generic) and use that category's rubric." }),
    ),
    question_quality: Type.Optional(Type.Boolean({ description: 'Also score the first user turn alone (1–5): quality.question_score.' })),
    threshold: Type.Optional(Type.Number({ description: 'With mode filter: drop records whose quality.score is below it.' })),
    mode: withDefault(Type.Union([Type.Literal('tag'), Type.Literal('filter')], { description: 'tag: write the scores; filter: also drop records scoring below `threshold`.' }), 'tag'),
    only_if: Type.Optional(Type.String({ description: 'JS expression: judge only records for which it is truthy (the others pass unjudged, with no request).' })),
    template: Type.Optional(
      Type.String({
        description:
          'Instructions used instead of the built-in ones: {criteria}, {shape} and {conversation} are filled in, {reference} with `reference`, and {FIELD} for each record field listed in `fields`; any other placeholder is a config error.',
      }),
    ),
    reference: Type.Optional(Type.String({ description: 'Field holding a reference answer: the judge grades against it (absolute grading, as Prometheus does), and {reference} fills it in.' })),
    fields: Type.Optional(Type.Array(Type.String(), { description: 'Record fields the template uses as {FIELD} (e.g. question, meta.source).' })),
    json_retries: withDefault(Type.Integer({ minimum: 0, maximum: 10, description: 'Extra attempts when an answer cannot be read or is out of range.' }), 2),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    const problems = problemTally(ctx);
    const report = problems.report;
    const names = config.models ?? [config.model ?? ctx.models.defaultName() ?? ''];
    names.forEach((name, i) => {
      if (!ctx.models.names().includes(name)) {
        report(
          config.models ? ['models', i] : config.model ? ['model'] : [],
          name === '' ? `name a judge model (one of: ${ctx.models.names().join(', ')})` : `no model named "${name}" (known: ${ctx.models.names().join(', ')})`,
        );
      }
    });
    const target = config.target;
    const textPath = target === 'conversation' ? null : parsePath(target);
    if (textPath && 'error' in textPath) report(['target'], textPath.error);
    const messagesPath = parsePath(config.messages);
    if ('error' in messagesPath) report(['messages'], messagesPath.error);
    let onlyIf: Expression | null = null;
    if (config.only_if) {
      const e = compileExpression(config.only_if);
      if ('error' in e) report(['only_if'], e.error);
      else onlyIf = e;
    }
    const rubric: Criterion[] = Object.entries(config.rubric ?? {}).map(([name, written]) => {
      const c = applyDefaults(CriterionSchema, written);
      return { name, scale: c.scale, weight: c.weight, description: c.description ?? name.replaceAll('_', ' '), allowNotApplicable: c.allow_na };
    });
    rubric.forEach((c) => {
      if (!(c.scale[0] < c.scale[1])) report(['rubric', c.name, 'scale'], 'the scale must go from a lower to a higher number');
    });
    if (rubric.length > 0 && config.categories) report(['categories'], 'use either `rubric` or `categories`, not both');
    const referencePath = config.reference === undefined ? null : parsePath(config.reference);
    if (referencePath && 'error' in referencePath) report(['reference'], referencePath.error);
    const fieldPaths = (config.fields ?? []).map((f, i) => {
      const p = parsePath(f);
      if ('error' in p) report(['fields', i], p.error);
      return { name: f, path: p };
    });
    if (config.template !== undefined) {
      const known = ['criteria', 'shape', 'conversation', ...(config.reference === undefined ? [] : ['reference']), ...(config.fields ?? [])];
      for (const name of new Set(placeholdersOf(config.template))) {
        if (known.includes(name)) continue;
        const hint = name === 'reference' ? ' (set `reference:` to the field holding the reference answer)' : didYouMean(name, known);
        report(['template'], `unknown placeholder {${name}}${hint}: the template may use ${known.map((k) => `{${k}}`).join(', ')}; list other record fields it uses under \`fields\``);
      }
    }
    if (config.mode === 'filter' && config.threshold === undefined) report(['threshold'], 'mode filter needs a threshold');
    if (problems.count > 0) return undefined;

    const judges = names.map((n) => ctx.models.get(n));
    const attempts = config.json_retries + 1;
    const fixedRubric = rubric.length > 0 ? rubric : config.categories ? null : categoryRubric('generic');

    /** The record's values for {reference} and the listed fields: strings as they are, other values as JSON. */
    const valuesOf = (record: JsonObject): Record<string, string> => {
      const values: Record<string, string> = {};
      const put = (name: string, path: FieldPath): void => {
        const v = getPath(record, path);
        if (v === undefined || v === null) throw new Error(`missing field "${name}" used by the judge`);
        values[name] = typeof v === 'string' ? v : JSON.stringify(v);
      };
      if (referencePath && !('error' in referencePath)) put('reference', referencePath);
      for (const f of fieldPaths) if (!('error' in f.path)) put(f.name, f.path);
      return values;
    };

    const ask = (client: ModelClient, criteria: Criterion[], subject: string, values: Record<string, string>): Promise<Scores> =>
      askForJson(client, {
        messages: judgeMessages(criteria, subject, config.template ?? null, values),
        responseFormat: { type: 'json_schema', json_schema: { name: 'scores', schema: judgeSchema(criteria), strict: true } },
        attempts,
        read: (raw) => {
          const parsed = parseScores(raw, criteria);
          return 'scores' in parsed ? { value: parsed.scores } : parsed;
        },
        what: `judge "${client.spec.name}" gave no usable scores`,
      });

    const classify = async (subject: string): Promise<string> => {
      const messages = [
        { role: 'system', content: 'You sort training conversations by task type.' },
        { role: 'user', content: `Which category fits the task in this conversation best: ${CATEGORIES.join(', ')}? Reply as JSON {"category": "<one of them>"}.\n\n${subject}` },
      ];
      const schema = { type: 'object', properties: { category: { enum: CATEGORIES } }, required: ['category'] };
      const text = (await judges[0]!.chat({ messages, params: {}, response_format: { type: 'json_schema', json_schema: { name: 'category', schema, strict: true } } })).text;
      const found = CATEGORIES.find((c) => text.includes(c));
      return found ?? 'generic';
    };

    return {
      async: true,
      concurrency: config.concurrency ?? judges[0]!.spec.concurrency,
      async run(record, rctx) {
        if (onlyIf && !onlyIf(record, rctx)) return record;
        let subject: string;
        let turns: Turn[] | null = null;
        if (textPath) {
          const v = getPath(record, textPath as FieldPath);
          if (typeof v !== 'string') throw new Error(`target field "${target}" is ${v === undefined ? 'missing' : 'not a string'}`);
          subject = v;
        } else {
          turns = messagesOf(getPath(record, messagesPath as FieldPath), config.messages);
          subject = renderConversation(turns);
        }
        const quality: JsonObject = isJsonObject(record.quality) ? record.quality : {};
        let criteria = fixedRubric;
        if (!criteria) {
          const category = await classify(subject);
          quality.category = category;
          criteria = categoryRubric(category);
        }
        const values = valuesOf(record);
        const perJudge = await Promise.all(judges.map((j) => ask(j, criteria!, subject, values)));
        const overall = perJudge.map((s) => overallScore(s, criteria!));
        if (judges.length === 1) {
          quality.judge = perJudge[0]!;
          quality.score = overall[0]!;
          quality.judge_model = judges[0]!.spec.name;
        } else {
          const mean: Scores = {};
          for (const c of criteria) {
            const values = perJudge.map((s) => s[c.name]!.score).filter((v): v is number => v !== null);
            mean[c.name] = { score: values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : null, rationale: perJudge[0]![c.name]!.rationale };
          }
          const scored = overall.filter((v): v is number => v !== null);
          quality.judge = mean;
          quality.judges = Object.fromEntries(judges.map((j, i) => [j.spec.name, { ...perJudge[i], score: overall[i] }]));
          quality.score = scored.length ? Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 100) / 100 : null;
          quality.score_spread = scored.length ? Math.round((Math.max(...scored) - Math.min(...scored)) * 100) / 100 : null;
          quality.judge_model = judges.map((j) => j.spec.name);
        }
        if (config.question_quality && turns) {
          const question = turns.find((t) => t.role === 'user');
          if (question) {
            const q: Criterion = { name: 'question_quality', scale: [1, 5], weight: 1, description: 'How clear, specific and answerable the user request is.', allowNotApplicable: false };
            const s = await ask(judges[0]!, [q], `[user]\n${question.content}`, values);
            quality.question_score = s.question_quality!.score;
          }
        }
        record.quality = quality;
        if (config.mode === 'filter' && (quality.score === null || (quality.score as number) < config.threshold!)) {
          return new Dropped(`judge score ${String(quality.score)} < ${config.threshold}`);
        }
        return record;
      },
    };
  },
});
