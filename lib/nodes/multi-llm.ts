import { Type } from '@sinclair/typebox';
import { applyDefaults, withComputedDefault, withDefault } from '../config/defaults.js';
import { defineNode, nodeSchema, type CompiledNode } from './definition.js';
import { llmNode } from './llm.js';

export const multiLlmNode = defineNode({
  type: 'multi_llm',
  description: 'Sends the same messages to several models; writes {model name: answer}. With pairwise_judge, makes preference pairs from generated data.',
  schema: nodeSchema('multi_llm', 'The same request to several models.', {
    models: Type.Array(Type.String(), { minItems: 2, description: 'Model names under `models:`.' }),
    messages: Type.Optional(llmNode.schema.properties.messages),
    messages_from: Type.Optional(Type.String({ description: 'Record field with a messages array, sent after `messages`.' })),
    output: withDefault(Type.String({ description: 'Field that receives {model: answer}.' }), 'responses'),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Sampling parameters for every model (temperature, max_tokens, …), over each model's own." })),
    json_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Each answer must be JSON valid against this schema (asked for again when it is not).' })),
    concurrency: withComputedDefault(Type.Integer({ minimum: 1, maximum: 10000, description: 'Records in flight at once.' }), 'the largest `concurrency` of the models'),
  }),
  async compile(config, ctx) {
    const output = config.output;
    // One llm node per model, each writing its answer under output.<model>.
    const parts: CompiledNode[] = [];
    for (const [i, model] of config.models.entries()) {
      const part = await llmNode.compile(
        applyDefaults(llmNode.schema, {
          type: 'llm',
          model,
          messages: config.messages,
          messages_from: config.messages_from,
          output: `${output}.${model}`,
          params: config.params,
          json_schema: config.json_schema,
          concurrency: config.concurrency,
        }),
        { ...ctx, report: (path, message) => ctx.report(path[0] === 'model' ? ['models', i] : path, message) },
      );
      if (!part) return undefined;
      parts.push(part);
    }
    return {
      async: true,
      concurrency: config.concurrency ?? Math.max(...parts.map((p) => p.concurrency)),
      async run(record, rctx) {
        await Promise.all(parts.map((p) => p.run(record, rctx)));
        return record;
      },
    };
  },
});
