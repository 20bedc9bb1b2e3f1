import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import type { ChatMessage } from '../llm/types.js';
import { defineNode, nodeSchema, modelConcurrency } from './definition.js';
import { chooseModel } from './model-choice.js';
import { messagesOf } from './messages-field.js';

export const rewardNode = defineNode({
  type: 'reward',
  description: 'Scores a conversation with a reward model served over HTTP (vLLM /pooling); writes the score to `output`. Cached like any model call.',
  schema: nodeSchema('reward', 'Reward model score.', {
    model: Type.Optional(Type.String({ description: 'The reward model (from `models`).' })),
    messages: withDefault(Type.String({ description: 'Field holding the conversation.' }), 'messages'),
    output: withDefault(Type.String({ description: 'Field that receives the score.' }), 'quality.reward'),
    concurrency: modelConcurrency(),
  }),
  compile(config, ctx) {
    const model = chooseModel(config.model, ctx, 'a reward model');
    const messagesPath = parsePath(config.messages);
    const outputPath = parsePath(config.output);
    if ('error' in messagesPath) ctx.report(['messages'], messagesPath.error);
    if ('error' in outputPath) ctx.report(['output'], outputPath.error);
    if (!model || 'error' in messagesPath || 'error' in outputPath) return undefined;
    const client = ctx.models.get(model);
    const field = config.messages;
    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record) {
        const messages = messagesOf(getPath(record, messagesPath as FieldPath), field, { parts: true });
        setPath(record, outputPath as FieldPath, await client.reward(messages as ChatMessage[]));
        return record;
      },
    };
  },
});
