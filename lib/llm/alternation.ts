import type { ChatMessage, ContentPart } from './types.js';

/**
 * Chat templates of many open models (Mistral, Gemma, Llama 2) refuse a conversation that
 * does not start with a user turn after the system prompt, or in which two user or two
 * assistant turns follow each other. A request is brought into that form before it is
 * sent: a seed user turn where the conversation would start with the assistant (a user
 * simulator, with roles swapped) or where there is only a system prompt, and turns of one
 * role in a row merged into one. Tool calls and their results are left as they are.
 */
export function alternated(messages: ChatMessage[], seed: string): ChatMessage[] {
  if (isAlternating(messages)) return messages;
  const out: ChatMessage[] = [];
  let i = 0;
  while (i < messages.length && (messages[i]!.role === 'system' || messages[i]!.role === 'developer')) out.push(messages[i++]!);
  const first = messages[i];
  if (first === undefined || first.role !== 'user') out.push({ role: 'user', content: seed });
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    const last = out[out.length - 1];
    if (last && mergeable(last, m)) out[out.length - 1] = { ...last, content: joined(last.content, m.content) };
    else out.push(m);
  }
  return out;
}

function isAlternating(messages: readonly ChatMessage[]): boolean {
  let i = 0;
  while (i < messages.length && (messages[i]!.role === 'system' || messages[i]!.role === 'developer')) i++;
  if (messages[i]?.role !== 'user') return false;
  for (i++; i < messages.length; i++) if (mergeable(messages[i - 1]!, messages[i]!)) return false;
  return true;
}

/** Two plain turns of the same speaker, neither calling tools nor answering one. */
function mergeable(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && (a.role === 'user' || a.role === 'assistant') && !a.tool_calls && !b.tool_calls;
}

function joined(a: ChatMessage['content'], b: ChatMessage['content']): ChatMessage['content'] {
  if (typeof a === 'string' && typeof b === 'string') return a === '' ? b : b === '' ? a : `${a}\n\n${b}`;
  const parts = (c: ChatMessage['content']): ContentPart[] => (c === null ? [] : typeof c === 'string' ? [{ type: 'text', text: c }] : c);
  return [...parts(a), ...parts(b)];
}
