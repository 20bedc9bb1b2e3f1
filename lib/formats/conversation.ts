import { isJsonObject } from '../record/item.js';

/**
 * A conversation as trainers read it (OpenAI fine-tuning, TRL): an optional system turn,
 * then user and assistant turns in alternation; an assistant turn may call tools, and
 * then each call is answered by a `tool` turn naming its id before the assistant speaks
 * again. Reasoning, where a model gave it, rides on its assistant turn as
 * `reasoning_content` (the name chat templates of reasoning models read).
 */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type Turn =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; reasoning_content?: string }
  | { role: 'tool'; content: string; tool_call_id: string };

/** Reads and checks a messages array; the first problem names its index. */
export function readConversation(value: unknown, name: string): Turn[] | { error: string } {
  if (!Array.isArray(value) || value.length === 0) return { error: `${name}: expected a non-empty array of {role, content}` };
  const turns: Turn[] = [];
  /** Calls of the last assistant turn not yet answered by a tool turn: id → tool name. */
  let open = new Map<string, string>();
  let expect: 'user' | 'assistant' = 'user';
  for (const [i, m] of value.entries()) {
    const at = `${name}[${i}]`;
    if (!isJsonObject(m) || typeof m.role !== 'string') return { error: `${at}: expected {role, content}` };
    if (m.role === 'system') {
      if (i !== 0) return { error: `${at}: a system turn may only come first` };
      if (typeof m.content !== 'string') return { error: `${at}: expected string content` };
      turns.push({ role: 'system', content: m.content });
      continue;
    }
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string' || !open.has(m.tool_call_id)) return { error: `${at}: a tool turn must answer a call of the assistant turn before it (tool_call_id)` };
      if (typeof m.content !== 'string') return { error: `${at}: expected string content` };
      turns.push({ role: 'tool', content: m.content, tool_call_id: m.tool_call_id });
      open.delete(m.tool_call_id);
      continue;
    }
    if (open.size > 0) return { error: `${at}: the tool calls ${[...open.keys()].join(', ')} have no tool turn answering them` };
    if (m.role !== expect) return { error: `${at}: expected role "${expect}", got "${m.role}"` };
    if (m.role === 'user') {
      if (typeof m.content !== 'string') return { error: `${at}: expected {role, content} with string content` };
      turns.push({ role: 'user', content: m.content });
      expect = 'assistant';
      continue;
    }
    const calls = readToolCalls(m.tool_calls, at);
    if ('error' in calls) return calls;
    if (typeof m.content !== 'string' && !(m.content === null && calls.length > 0)) return { error: `${at}: expected string content (null only beside tool_calls)` };
    const turn: Turn = { role: 'assistant', content: m.content as string | null };
    if (calls.length > 0) turn.tool_calls = calls;
    if (typeof m.reasoning_content === 'string' && m.reasoning_content !== '') turn.reasoning_content = m.reasoning_content;
    turns.push(turn);
    if (calls.length > 0) {
      open = new Map(calls.map((c) => [c.id, c.function.name]));
      // After the results, the assistant speaks again.
      expect = 'assistant';
    } else expect = 'user';
  }
  if (open.size > 0) return { error: `${name}: the tool calls ${[...open.keys()].join(', ')} have no tool turn answering them` };
  return turns;
}

function readToolCalls(value: unknown, at: string): ToolCall[] | { error: string } {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return { error: `${at}.tool_calls: expected an array` };
  const calls: ToolCall[] = [];
  for (const [k, c] of value.entries()) {
    const fn = isJsonObject(c) && isJsonObject(c.function) ? c.function : null;
    if (!isJsonObject(c) || typeof c.id !== 'string' || !fn || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
      return { error: `${at}.tool_calls[${k}]: expected {id, type: "function", function: {name, arguments}}` };
    }
    try {
      JSON.parse(fn.arguments);
    } catch {
      return { error: `${at}.tool_calls[${k}].function.arguments: not JSON` };
    }
    calls.push({ id: c.id, type: 'function', function: { name: fn.name, arguments: fn.arguments } });
  }
  return calls;
}

/** Whether a conversation ends as a training example must: with an assistant's answer (not a call). */
export function endsWithAnswer(turns: readonly Turn[]): boolean {
  const last = turns[turns.length - 1];
  return last?.role === 'assistant' && !last.tool_calls;
}

/** The turns without reasoning (`output.reasoning: drop`). */
export function withoutReasoning(turns: readonly Turn[]): Turn[] {
  return turns.map((t) => {
    if (t.role !== 'assistant' || t.reasoning_content === undefined) return t;
    const { reasoning_content: _dropped, ...rest } = t;
    return rest;
  });
}

/** Tool definitions as trainers take them: OpenAI-style `{type: "function", function: {name, description, parameters}}`. */
export function readTools(value: unknown, name: string): Array<Record<string, unknown>> | { error: string } {
  if (!Array.isArray(value)) return { error: `${name}: expected an array of tool definitions` };
  for (const [i, tool] of value.entries()) {
    if (!isJsonObject(tool) || tool.type !== 'function' || !isJsonObject(tool.function) || typeof tool.function.name !== 'string') {
      return { error: `${name}[${i}]: expected {type: "function", function: {name, description, parameters}}` };
    }
  }
  return value as Array<Record<string, unknown>>;
}

/**
 * LLaMA-Factory's sharegpt turns: human, gpt, a `function_call` turn (the call as JSON,
 * a list when there are several) and an `observation` turn (the results, likewise), and
 * the tool list as a JSON string, as its dataset_info `tools` column expects.
 */
export function shareGptTurns(turns: readonly Turn[]): Array<{ from: string; value: string }> {
  const out: Array<{ from: string; value: string }> = [];
  let results: string[] = [];
  const flushResults = (): void => {
    if (results.length === 0) return;
    out.push({ from: 'observation', value: results.length === 1 ? results[0]! : JSON.stringify(results) });
    results = [];
  };
  for (const t of turns) {
    if (t.role === 'tool') {
      results.push(t.content);
      continue;
    }
    flushResults();
    if (t.role === 'system') out.push({ from: 'system', value: t.content });
    else if (t.role === 'user') out.push({ from: 'human', value: t.content });
    else if (t.role === 'assistant' && t.tool_calls) {
      const calls = t.tool_calls.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown }));
      // Text said beside a call has no place in LLaMA-Factory's turns: the call is what is trained.
      out.push({ from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) });
    } else if (t.role === 'assistant') out.push({ from: 'gpt', value: t.content ?? '' });
  }
  flushResults();
  return out;
}

/** Tool definitions as LLaMA-Factory's `tools` string: a JSON list of {name, description, parameters}. */
export function shareGptTools(tools: ReadonlyArray<Record<string, unknown>>): string {
  return JSON.stringify(tools.map((t) => t.function));
}
