import type { ChatMessage } from './types.js';

/** About four characters a token: close enough for budgets, rate limits and mock usage. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += textOf(m).length + 4;
  return Math.ceil(chars / 4);
}

/** About four characters a token, over several texts (an embeddings request). */
export function estimateTextTokens(texts: readonly string[]): number {
  let chars = 0;
  for (const t of texts) chars += t.length;
  return Math.ceil(chars / 4);
}

/** The text of a message: its string content, or its text parts joined. */
export function textOf(message: ChatMessage | undefined): string {
  if (!message || message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((p) => (p.type === 'text' ? p.text : '')).join(' ');
}
