import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { importFile } from '../config/import-module.js';
import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { within } from './time-limit.js';
import { parsePath, setPath, getPath } from '../record/path.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { compileTemplate } from '../llm/template.js';
import type { ChatMessage } from '../llm/types.js';
import { defineNode, nodeSchema, modelConcurrency, problemTally } from './definition.js';
import { chooseModel } from './model-choice.js';

type ToolFn = (args: unknown, ctx: { record: JsonObject }) => unknown;

interface ToolCall {
  id: string;
  function: { name: string; arguments: string };
}

export const agentNode = defineNode({
  type: 'agent',
  description: 'An llm node with tools (OpenAI function calling): runs call → tool → call up to max_steps, keeps the whole exchange and a trace.',
  schema: nodeSchema('agent', 'An LLM with tools.', {
    model: Type.Optional(Type.String({ description: 'The model that calls the tools (may be left out when there is one).' })),
    messages: Type.Optional(Type.Array(Type.Object({ role: Type.String(), content: Type.String() }, { additionalProperties: false }), { description: 'Message templates ({field} from the record).' })),
    messages_from: Type.Optional(Type.String({ description: 'Record field with a messages array, sent after `messages`.' })),
    tools: Type.Array(
      Type.Object(
        {
          module: Type.String({ description: 'ES module, relative to the graph file.' }),
          export: Type.String({ description: 'The tool: a function (args, {record}) => result (or a Promise); its name is the export name.' }),
          description: Type.String({ description: 'What the tool does, for the model.' }),
          parameters: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the arguments.' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'The functions the model may call: each an export of an ES module, with its JSON Schema.' },
    ),
    tool_timeout_ms: withDefault(Type.Integer({ minimum: 1, description: 'A tool that has not answered by then fails: the model is told, and goes on.' }), 60_000),
    max_steps: withDefault(Type.Integer({ minimum: 1, maximum: 50, description: 'Model calls at most per record.' }), 5),
    output: withDefault(Type.String({ description: 'Field for the final answer.' }), 'output'),
    conversation: withDefault(Type.String({ description: 'Field for the whole exchange: messages with tool calls and results.' }), 'messages'),
    trace: withDefault(Type.String({ description: 'Field for the tool trace [{tool, arguments, result | error}].' }), 'trace'),
    tools_to: withDefault(Type.String({ description: 'Field for the tool definitions offered (OpenAI style), which sft and sharegpt output write as `tools` beside the conversation.' }), 'tools'),
    concurrency: modelConcurrency(),
  }),
  async compile(config, ctx) {
    const problems = problemTally(ctx);
    const report = problems.report;
    const modelName = chooseModel(config.model, ctx, 'a model');
    if (!config.messages && !config.messages_from) report([], 'an agent needs `messages` or `messages_from`');
    const templates = (config.messages ?? []).map((m, i) => {
      const t = compileTemplate(m.content);
      if ('error' in t) report(['messages', i, 'content'], t.error);
      return { role: m.role, template: 'error' in t ? null : t };
    });
    const tools = new Map<string, ToolFn>();
    for (const [i, tool] of config.tools.entries()) {
      const file = isAbsolute(tool.module) ? tool.module : resolve(ctx.graphDir, tool.module);
      try {
        await access(file);
        const fn = (await importFile(file))[tool.export];
        if (typeof fn !== 'function') report(['tools', i, 'export'], `${file} has no exported function "${tool.export}"`);
        else tools.set(tool.export, fn as ToolFn);
      } catch (err) {
        report(['tools', i, 'module'], `cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const paths = {
      output: parsePath(config.output),
      conversation: parsePath(config.conversation),
      trace: parsePath(config.trace),
      tools: parsePath(config.tools_to),
      history: config.messages_from ? parsePath(config.messages_from) : null,
    };
    for (const [key, p] of Object.entries(paths)) if (p && 'error' in p) report([key === 'history' ? 'messages_from' : key === 'tools' ? 'tools_to' : key], p.error);
    if (problems.count > 0 || !modelName) return undefined;
    const client = ctx.models.get(modelName);
    const maxSteps = config.max_steps;
    const toolSpecs = config.tools.map((t) => ({ type: 'function', function: { name: t.export, description: t.description, parameters: t.parameters } }));

    return {
      async: true,
      concurrency: config.concurrency ?? client.spec.concurrency,
      async run(record) {
        const messages: ChatMessage[] = templates.map((t) => ({ role: t.role, content: t.template!.render(record) }));
        if (paths.history && !('error' in paths.history)) {
          const h = getPath(record, paths.history);
          if (!Array.isArray(h)) throw new Error(`messages_from: field "${config.messages_from}" is not an array`);
          for (const m of h) if (isJsonObject(m)) messages.push(m as unknown as ChatMessage);
        }
        const trace: JsonObject[] = [];
        for (let step = 0; step < maxSteps; step++) {
          const completion = await client.chat({ messages: structuredClone(messages), params: {}, tools: toolSpecs });
          const calls = (completion.message.tool_calls ?? []) as ToolCall[];
          // The model's reasoning rides on its turn, where trainers of reasoning models read it.
          const reasoning = completion.reasoning === undefined ? {} : { reasoning_content: completion.reasoning };
          if (calls.length === 0) {
            messages.push({ role: 'assistant', content: completion.text, ...reasoning });
            setPath(record, paths.output as string[], completion.text);
            setPath(record, paths.conversation as string[], messages);
            setPath(record, paths.trace as string[], trace);
            setPath(record, paths.tools as string[], structuredClone(toolSpecs));
            return record;
          }
          messages.push({ role: 'assistant', content: completion.message.content ?? null, tool_calls: calls, ...reasoning });
          for (const call of calls) {
            const fn = tools.get(call.function.name);
            let content: string;
            let args: unknown = call.function.arguments;
            try {
              if (!fn) throw new Error(`no tool named "${call.function.name}"`);
              args = JSON.parse(call.function.arguments || '{}') as unknown;
              const result = await within(fn(args, { record }), config.tool_timeout_ms, `tool ${call.function.name}`);
              content = typeof result === 'string' ? result : JSON.stringify(result ?? null);
              trace.push({ tool: call.function.name, arguments: args, result: content });
            } catch (err) {
              // A failing tool is the model's problem to handle, not the run's: it hears why.
              content = `error: ${(err as Error).message ?? String(err)}`;
              trace.push({ tool: call.function.name, arguments: args, error: content });
            }
            messages.push({ role: 'tool', tool_call_id: call.id, content });
          }
        }
        throw new Error(`agent used all ${maxSteps} steps without a final answer`);
      },
    };
  },
});
