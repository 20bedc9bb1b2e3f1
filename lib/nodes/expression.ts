import type { JsonObject } from '../record/item.js';
import type { RecordContext } from './definition.js';

/** A compiled expression over `record` (and `ctx`). Graph files are trusted code, like a Makefile. */
export type Expression = (record: JsonObject, ctx: RecordContext) => unknown;

/** Compiles a JS expression, or returns the reason it does not compile. */
export function compileExpression(source: string): Expression | { error: string } {
  if (source.trim() === '') return { error: 'expression is empty' };
  try {
    // The newline keeps a trailing `//` comment in the source from swallowing the paren.
    return new Function('record', 'ctx', `"use strict";\nreturn (${source}\n);`) as Expression;
  } catch (err) {
    return { error: `expression does not compile: ${(err as Error).message}` };
  }
}

/** Short, single-line rendering of a value for messages and rejection reasons. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
