import { getPath, parsePath, type FieldPath } from '../record/path.js';
import type { JsonObject } from '../record/item.js';

/** A compiled `{field}` template: literal text and record paths, in order. */
export interface Template {
  readonly source: string;
  readonly fields: readonly string[];
  render(record: JsonObject): string;
}

/** Raised for a record that lacks a field a template needs; becomes that record's error. */
export class MissingFieldError extends Error {
  constructor(readonly field: string) {
    super(`missing field "${field}" used in a template`);
    this.name = 'MissingFieldError';
  }
}

/**
 * Parses `{field}` / `{a.b}` placeholders; `{{` and `}}` are literal braces. Values are
 * inserted verbatim and never parsed again, so record content cannot act as a template.
 */
export function compileTemplate(source: string): Template | { error: string } {
  const parts: Array<string | { field: string; path: FieldPath }> = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '{' && source[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && source[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '{') {
      const close = source.indexOf('}', i + 1);
      if (close === -1) return { error: `unclosed "{" at character ${i + 1} (write "{{" for a literal brace)` };
      const field = source.slice(i + 1, close).trim();
      const path = parsePath(field);
      if ('error' in path) return { error: `bad placeholder {${field}}: ${path.error}` };
      if (text) parts.push(text);
      text = '';
      parts.push({ field, path });
      i = close + 1;
    } else if (ch === '}') {
      return { error: `unmatched "}" at character ${i + 1} (write "}}" for a literal brace)` };
    } else {
      text += ch;
      i++;
    }
  }
  if (text) parts.push(text);
  const fields = parts.filter((p) => typeof p !== 'string').map((p) => (p as { field: string }).field);
  return {
    source,
    fields,
    render(record) {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const value = getPath(record, p.path);
        if (value === undefined || value === null) throw new MissingFieldError(p.field);
        out += typeof value === 'string' ? value : JSON.stringify(value);
      }
      return out;
    },
  };
}
