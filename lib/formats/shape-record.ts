import { createHash } from 'node:crypto';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, parsePath, type FieldPath } from '../record/path.js';
import { compileJsonSchema, type JsonCheck } from '../llm/json-output.js';
import type { OutputSettings } from './output-schema.js';
import { endsWithAnswer, readConversation, readTools, shareGptTools, shareGptTurns, withoutReasoning, type Turn } from './conversation.js';

/** Shapes one record for output: the records to write, or why it does not fit. */
export type RecordShaper = (record: JsonObject) => JsonObject[] | { error: string };

/** Compiles the `output:` block; problems are reported by key path. */
/** `config` has its defaults filled in (applyDefaults with OutputSchema). */
export async function compileOutput(config: OutputSettings, report: (path: string[], message: string) => void): Promise<RecordShaper | undefined> {
  const field = (key: 'id' | 'messages' | 'prompt' | 'chosen' | 'rejected' | 'tools'): FieldPath | undefined => {
    const p = parsePath(config[key]);
    if ('error' in p) {
      report([key], p.error);
      return undefined;
    }
    return p;
  };
  const idPath = field('id');
  const messagesPath = field('messages');
  const promptPath = field('prompt');
  const chosenPath = field('chosen');
  const rejectedPath = field('rejected');
  const toolsPath = field('tools');
  const metaPaths = (config.meta ?? []).map((m) => ({ name: m, path: parsePath(m) }));
  let check: JsonCheck | null = null;
  if (config.schema) {
    const c = await compileJsonSchema(config.schema);
    if ('error' in c) report(['schema'], c.error);
    else check = c;
  }
  if (!idPath || !messagesPath || !promptPath || !chosenPath || !rejectedPath || !toolsPath) return undefined;
  for (const m of metaPaths) if ('error' in m.path) report(['meta'], m.path.error);

  const idOf = (record: JsonObject): string => {
    const id = getPath(record, idPath);
    return typeof id === 'string' || typeof id === 'number' ? String(id) : contentId(record);
  };
  const metaOf = (record: JsonObject): JsonObject | undefined => {
    const own = isJsonObject(record.meta) ? record.meta : {};
    const extra: JsonObject = {};
    for (const m of metaPaths) if (!('error' in m.path)) extra[m.name] = getPath(record, m.path);
    const meta = { ...own, ...extra };
    return Object.keys(meta).length > 0 ? meta : undefined;
  };

  const readPair = (record: JsonObject): { prompt: Turn[]; chosen: string; rejected: string } | { error: string } => {
    const prompt = promptTurns(getPath(record, promptPath), config.prompt);
    if ('error' in prompt) return prompt;
    const chosen = answerText(getPath(record, chosenPath), config.chosen);
    if (typeof chosen !== 'string') return chosen;
    const rejected = answerText(getPath(record, rejectedPath), config.rejected);
    if (typeof rejected !== 'string') return rejected;
    if (chosen === rejected) return { error: 'chosen and rejected are identical' };
    return { prompt, chosen, rejected };
  };

  /** A preference pair as OASST rows: the prompt chain, then chosen (rank 0) and rejected (rank 1) as siblings. */
  const dpoRows = (record: JsonObject): JsonObject[] | { error: string } => {
    const pair = readPair(record);
    if ('error' in pair) return pair;
    const id = idOf(record);
    const rows = oasstRows(id, pair.prompt, record);
    const parent = rows[rows.length - 1]!.message_id as string;
    const lang = rows[0]!.lang;
    rows.push({ message_id: `${parent}.chosen`, parent_id: parent, message_tree_id: id, role: 'assistant', text: pair.chosen, lang, rank: 0 });
    rows.push({ message_id: `${parent}.rejected`, parent_id: parent, message_tree_id: id, role: 'assistant', text: pair.rejected, lang, rank: 1 });
    return rows;
  };

  const shape = (record: JsonObject): JsonObject[] | { error: string } => {
    switch (config.format) {
      case 'raw':
        return [record];
      // biome-ignore lint/suspicious/noFallthroughSwitchClause: an OASST record without a chosen reply is a conversation
      case 'oasst':
        if (getPath(record, chosenPath) !== undefined) return dpoRows(record);
      case 'sft':
      case 'sharegpt': {
        const read = readConversation(getPath(record, messagesPath), config.messages);
        if ('error' in read) return read;
        if (!endsWithAnswer(read)) return { error: `${config.messages}: the conversation must end with an assistant's answer` };
        const turns = config.reasoning === 'drop' ? withoutReasoning(read) : read;
        const id = idOf(record);
        const rawTools = getPath(record, toolsPath);
        const tools = rawTools === undefined ? undefined : readTools(rawTools, config.tools);
        if (tools && 'error' in tools) return tools;
        const calls = turns.some((t) => t.role === 'tool');
        if (calls && tools === undefined) return { error: `${config.messages}: the conversation calls tools, but the record has no \`${config.tools}\` field defining them` };
        if (config.format === 'sft') return [withMeta({ id, messages: turns, ...(tools ? { tools } : {}) }, metaOf(record))];
        if (config.format === 'sharegpt') return [{ id, conversations: shareGptTurns(turns), ...(tools ? { tools: shareGptTools(tools) } : {}) }];
        if (calls) return { error: `${config.messages}: OASST rows have no form for tool calls; write sft or sharegpt` };
        return oasstRows(id, turns, record);
      }
      case 'dpo': {
        const pair = readPair(record);
        if ('error' in pair) return pair;
        const { prompt, chosen, rejected } = pair;
        const id = idOf(record);
        if (config.flat) {
          const flatPrompt =
            prompt.length === 1 ? (prompt[0]!.content ?? '') : prompt.map((t) => `${t.role === 'user' ? 'User' : t.role === 'assistant' ? 'Assistant' : 'System'}: ${t.content ?? ''}`).join('\n\n');
          return [withMeta({ id, prompt: flatPrompt, chosen, rejected }, metaOf(record))];
        }
        return [withMeta({ id, prompt, chosen: [{ role: 'assistant', content: chosen }], rejected: [{ role: 'assistant', content: rejected }] }, metaOf(record))];
      }
    }
  };

  return (record) => {
    const out = shape(record);
    if ('error' in out || !check) return out;
    for (const r of out) {
      const failure = check(r);
      if (failure) return { error: `output schema: ${failure}` };
    }
    return out;
  };
}

function withMeta(record: JsonObject, meta: JsonObject | undefined): JsonObject {
  return meta ? { ...record, meta } : record;
}

/** A messages array of plain {role, content} turns in alternation (prompts, OASST): no tool turns. */
function conversation(value: unknown, name: string): Turn[] | { error: string } {
  const turns = readConversation(value, name);
  if ('error' in turns) return turns;
  const tool = turns.findIndex((t) => t.role === 'tool' || (t.role === 'assistant' && t.tool_calls));
  if (tool >= 0) return { error: `${name}[${tool}]: tool calls have no place here` };
  return turns;
}

function promptTurns(value: unknown, name: string): Turn[] | { error: string } {
  if (typeof value === 'string') return value === '' ? { error: `${name}: empty` } : [{ role: 'user', content: value }];
  const turns = conversation(value, name);
  if ('error' in turns) return turns;
  if (turns[turns.length - 1]!.role !== 'user') return { error: `${name}: the prompt must end with a user turn` };
  return turns;
}

/** An answer as a string, or the content of a one-message assistant array. */
function answerText(value: unknown, name: string): string | { error: string } {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.length === 1 && isJsonObject(value[0]) && typeof value[0].content === 'string') return value[0].content;
  return { error: `${name}: expected a non-empty string or [{role: "assistant", content}]` };
}

/**
 * Generated conversations as OASST rows: ids derived from the conversation id and turn,
 * so the same record always gives the same rows.
 */
function oasstRows(treeId: string, turns: Turn[], record: JsonObject): JsonObject[] {
  const rows: JsonObject[] = [];
  let parent: string | null = null;
  const lang = typeof record.lang === 'string' ? record.lang : null;
  turns
    .filter((t) => t.role !== 'system')
    .forEach((t, i) => {
      const messageId = i === 0 ? treeId : `${treeId}.${i}`;
      rows.push({ message_id: messageId, parent_id: parent, message_tree_id: treeId, role: t.role === 'user' ? 'prompter' : 'assistant', text: t.content ?? '', lang });
      parent = messageId;
    });
  return rows;
}

function contentId(record: JsonObject): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
}
