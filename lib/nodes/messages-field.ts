import { isJsonObject } from '../record/item.js';

export interface Message {
  role: string;
  content: string;
}

/** A message whose content may also be an array of parts (text and images, as chat APIs take them). */
export interface AnyMessage {
  role: string;
  content: string | unknown[];
}

/**
 * A record's messages field, checked: an array of `{role, content}` objects with text
 * content (or, with `parts`, content parts too). Throws, naming the field and the first
 * bad message, when it is missing or is not one.
 */
export function messagesOf(value: unknown, field: string): Message[];
export function messagesOf(value: unknown, field: string, options: { parts: true }): AnyMessage[];
export function messagesOf(value: unknown, field: string, options: { parts?: boolean } = {}): AnyMessage[] {
  if (!Array.isArray(value)) throw new Error(`field "${field}" is ${value === undefined ? 'missing' : 'not an array of {role, content} messages'}`);
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    const content = isJsonObject(m) ? m.content : undefined;
    if (!isJsonObject(m) || typeof m.role !== 'string' || !(typeof content === 'string' || (options.parts === true && Array.isArray(content)))) {
      throw new Error(`${field}[${i}] is not a {role, content} message with ${options.parts ? 'text or parts as' : 'text'} content`);
    }
  }
  return value as AnyMessage[];
}
