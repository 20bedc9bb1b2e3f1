import { isAbsolute, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { parsePath, setPath } from '../record/path.js';
import { compileTemplate } from '../llm/template.js';
import type { ChatTemplate } from '../llm/chat-template.js';
import { defineNode, modelConcurrency, nodeSchema, problemTally } from './definition.js';
import { chooseModel } from './model-choice.js';

const MessageSchema = Type.Object({ role: Type.String(), content: Type.String() }, { additionalProperties: false });

export const completionNode = defineNode({
  type: 'completion',
  description:
    "Asks a model for a raw completion (POST /completions, no chat format added by the server) of a prompt: written out, or the node's messages put through the model's chat template here; with pre_query, the template's opening of a user turn, so the model writes a user's query (Magpie).",
  schema: nodeSchema('completion', 'A raw text completion.', {
    model: Type.Optional(Type.String({ description: 'A name under `models:`; may be left out when there is only one.' })),
    prompt: Type.Optional(Type.String({ description: 'The prompt, with {field} placeholders ({{ and }} for literal braces), sent as it is.' })),
    chat_template: Type.Optional(Type.String({ description: "The model's tokenizer_config.json (its chat_template, bos_token, eos_token) or a Jinja file, relative to the graph file." })),
    messages: Type.Optional(Type.Array(MessageSchema, { description: 'With chat_template: messages rendered through it, opened for the assistant reply.' })),
    pre_query: Type.Optional(
      Type.Boolean({
        description: "With chat_template: the prompt is the template's text up to a user's message (after `system`), as Magpie does; each record is its own sample (seed), so queries differ.",
      }),
    ),
    system: Type.Optional(Type.String({ description: 'With pre_query: a system prompt before the user turn, with {field} placeholders.' })),
    output: withDefault(Type.String({ description: 'Field that receives the completion (trimmed).' }), 'output'),
    params: withDefault(Type.Record(Type.String(), Type.Unknown(), { description: "Sampling parameters over the model's own (max_tokens, stop, ...)." }), {}),
    concurrency: modelConcurrency(),
  }),
  async compile(config, ctx) {
    const problems = problemTally(ctx);
    const report = problems.report;
    const modelName = chooseModel(config.model, ctx, 'a model');
    const ways = [config.prompt !== undefined, config.messages !== undefined, config.pre_query === true].filter(Boolean).length;
    if (ways !== 1) report([], 'give exactly one of `prompt`, `messages` (with chat_template) or `pre_query: true` (with chat_template)');
    if ((config.messages !== undefined || config.pre_query === true) && config.chat_template === undefined) report(['chat_template'], 'messages and pre_query need the chat_template to apply');
    if (config.system !== undefined && config.pre_query !== true) report(['system'], 'system applies with pre_query');
    const compiled = (text: string, path: Array<string | number>) => {
      const t = compileTemplate(text);
      if ('error' in t) report(path, t.error);
      return 'error' in t ? null : t;
    };
    const prompt = config.prompt === undefined ? null : compiled(config.prompt, ['prompt']);
    const messages = (config.messages ?? []).map((m, i) => ({ role: m.role, template: compiled(m.content, ['messages', i, 'content']) }));
    const system = config.system === undefined ? null : compiled(config.system, ['system']);
    let chatTemplate: ChatTemplate | null = null;
    if (config.chat_template !== undefined) {
      // Loaded only by graphs that apply a template: the Jinja engine stays out of other runs.
      const { loadChatTemplate } = await import('../llm/chat-template.js');
      const file = isAbsolute(config.chat_template) ? config.chat_template : resolve(ctx.graphDir, config.chat_template);
      const loaded = await loadChatTemplate(file);
      if ('error' in loaded) report(['chat_template'], loaded.error);
      else chatTemplate = loaded;
    }
    const outputPath = parsePath(config.output);
    if ('error' in outputPath) report(['output'], outputPath.error);
    if (problems.count > 0 || modelName === null || 'error' in outputPath) return undefined;
    const client = ctx.models.get(modelName);
    const params = config.params;

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record, rctx) {
        let text: string;
        if (prompt) text = prompt.render(record);
        else if (config.pre_query) text = chatTemplate!.preQuery(system?.render(record));
        else
          text = chatTemplate!.render(
            messages.map((m) => ({ role: m.role, content: m.template!.render(record) })),
            true,
          );
        // Every pre-query is the same text: each record is its own sample (its input position),
        // or the cache would answer every record with the first query.
        const completion = await client.complete({ prompt: text, params, ...(config.pre_query ? { sample: rctx.seq + 1 } : {}) });
        setPath(record, outputPath, completion.text.trim());
        return record;
      },
    };
  },
});
