import { isJsonObject, type JsonObject } from '../record/item.js';
import { getPath, type FieldPath } from '../record/path.js';

/** Which turns of a messages array are compared. */
export type TurnSelection = 'all' | 'assistant' | 'user';

/**
 * Reads the text a record is compared by: a string field as it is, or a messages array as
 * its selected turns, one `role: content` line each (so the same words said by another
 * role are a different conversation). Throws a message naming the field when it is not there.
 */
export function makeTextReader(path: FieldPath, label: string, turns: TurnSelection, node = 'dedup'): (record: JsonObject) => string {
  return (record) => {
    const value = getPath(record, path);
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) throw new Error(`${node} field "${label}" is ${value === undefined ? 'missing' : 'neither a string nor a messages array'}`);
    let text = '';
    for (const m of value) {
      if (!isJsonObject(m) || typeof m.role !== 'string') throw new Error(`${node} field "${label}" holds an entry that is not a {role, content} message`);
      if (turns !== 'all' && m.role !== turns) continue;
      text += `${m.role}: ${contentText(m.content)}\n`;
    }
    return text;
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (isJsonObject(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join(' ');
}
