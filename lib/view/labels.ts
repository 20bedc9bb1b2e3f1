import { appendFile, readFile } from 'node:fs/promises';
import { isJsonObject } from '../record/item.js';
import { ndjsonValues } from '../record/ndjson-text.js';

export const LABELS = ['accept', 'reject', 'flag'] as const;
export type Label = (typeof LABELS)[number];

/** One line of the sidecar file: the latest line for a record wins, and `label: null` clears it. */
export interface LabelLine {
  /** The viewed file's name as given on the command line. */
  file: string;
  /** The record's line in that file (1-based, blank lines not counted). */
  line: number;
  /** The record's id, for a later graph to join on (null when it has none). */
  id: string | null;
  label: Label | null;
  note: string;
  at: string;
}

export function isLabel(value: unknown): value is Label {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}

/**
 * Review labels kept in a sidecar NDJSON file: every change is appended (a history a
 * person can audit, and a crash loses at most the line being written), and the latest
 * line for a record is its label. A later graph joins the file on `id` (a `lookup` node).
 */
export class LabelStore {
  private readonly latest = new Map<string, LabelLine>();
  /** Appends run one after another, so lines never interleave. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  /** Opens the sidecar, reading the labels already in it (a missing file is an empty one). */
  static async open(path: string): Promise<LabelStore> {
    const store = new LabelStore(path);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const parsed = ndjsonValues(text);
    if ('bad' in parsed) throw new Error(`${path}:${parsed.bad.line}: not JSON; the labels file is written by sygra-stream view (move it away to start afresh)`);
    for (const { line: lineNo, value } of parsed.values) {
      if (!isJsonObject(value) || typeof value.file !== 'string' || typeof value.line !== 'number') throw new Error(`${path}:${lineNo}: a label line needs "file" and "line"`);
      store.latest.set(keyOf(value.file, value.line), value as unknown as LabelLine);
    }
    return store;
  }

  get(file: string, line: number): LabelLine | undefined {
    const found = this.latest.get(keyOf(file, line));
    return found?.label ? found : undefined;
  }

  /** Records the label (or clears it) and resolves once the line is in the file. */
  set(entry: Omit<LabelLine, 'at'>, now = new Date()): Promise<LabelLine> {
    const line: LabelLine = { ...entry, at: now.toISOString() };
    this.latest.set(keyOf(line.file, line.line), line);
    const text = `${JSON.stringify(line)}\n`;
    const done = this.writing.then(() => appendFile(this.path, text, 'utf8'));
    this.writing = done.catch(() => undefined);
    return done.then(() => line);
  }

  /** How many records of `file` carry each label. */
  counts(file: string): Record<Label, number> {
    const counts: Record<Label, number> = { accept: 0, reject: 0, flag: 0 };
    for (const entry of this.latest.values()) if (entry.file === file && entry.label) counts[entry.label]++;
    return counts;
  }
}

function keyOf(file: string, line: number): string {
  return `${line}\u0000${file}`;
}
