import { isJsonObject, type JsonObject } from '../record/item.js';
import { languageOf, messagesOf, qualityOf } from '../report/summary.js';
import type { LineIndex } from './line-index.js';

/** What a line of a viewed file holds: a record, a `--rejected` line, an `--errors` line, or not a JSON object. */
export type LineKind = 'record' | 'rejected' | 'error' | 'invalid';
const KINDS: readonly LineKind[] = ['record', 'rejected', 'error', 'invalid'];

/** What the viewer filters and sorts on, read from one line. */
export interface LineFacets {
  kind: LineKind;
  /** quality.score, when the record has one. */
  score: number | null;
  language: string;
  /** The node that filtered the record or failed on it ('' for a record). */
  node: string;
  /** Why it was filtered or failed, with numbers blanked so alike causes group ('' for a record). */
  cause: string;
  /** `rule:NAME` for each failed heuristic rule, `judge:NAME=SCORE` for each judge criterion, `turns:N`. */
  tags: string[];
}

/** The record a line shows: the record itself, or the one inside a rejected or error line. */
export function shownRecord(value: unknown): { kind: LineKind; record: JsonObject | null } {
  if (!isJsonObject(value)) return { kind: 'invalid', record: null };
  if (typeof value.reason === 'string' && 'record' in value && 'node' in value) return { kind: 'rejected', record: isJsonObject(value.record) ? value.record : null };
  if (typeof value.error === 'string' && 'input' in value && 'line' in value) return { kind: 'error', record: isJsonObject(value.input) ? value.input : null };
  return { kind: 'record', record: value };
}

export function facetsOf(value: unknown): LineFacets {
  const { kind, record } = shownRecord(value);
  const line = isJsonObject(value) ? value : {};
  const facets: LineFacets = {
    kind,
    score: null,
    language: '',
    node: kind === 'rejected' || kind === 'error' ? String(line.node ?? '(input)') : '',
    cause: kind === 'rejected' ? causeOf(line.reason) : kind === 'error' ? causeOf(line.error) : '',
    tags: [],
  };
  if (!record) return facets;
  const quality = qualityOf(record);
  facets.language = languageOf(record, quality);
  const turns = messagesOf(record).length;
  if (turns > 0) facets.tags.push(`turns:${turns >= 10 ? '10+' : turns}`);
  if (!quality) return facets;
  if (typeof quality.score === 'number' && Number.isFinite(quality.score)) facets.score = quality.score;
  if (isJsonObject(quality.rules)) {
    for (const [name, r] of Object.entries(quality.rules)) if (isJsonObject(r) && r.pass === false) facets.tags.push(`rule:${name}`);
  }
  if (isJsonObject(quality.judge)) {
    for (const [name, c] of Object.entries(quality.judge)) if (isJsonObject(c) && typeof c.score === 'number') facets.tags.push(`judge:${name}=${c.score}`);
  }
  return facets;
}

/** Numbers and quoted values blanked, so "line 12: …" and "line 40: …" are one cause. */
function causeOf(text: unknown): string {
  const flat = String(text ?? '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

/** Distinct strings numbered in order of first sight, each with how many lines have it. */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  readonly counts: number[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
      this.counts.push(0);
    }
    this.counts[id]!++;
    return id;
  }

  lookup(value: string): number | undefined {
    return this.ids.get(value);
  }

  /** Values with their counts, most frequent first. */
  entries(): Array<{ value: string; count: number }> {
    return this.values.map((value, i) => ({ value, count: this.counts[i]! })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}

/**
 * The facets of every record of a file, as columns: a kind and a score per record, and
 * dictionary ids for language, node, cause and the record's set of tags. A million
 * records take about 21 MB; the records themselves stay on disk.
 */
export class FacetColumns {
  readonly kinds: Uint8Array;
  readonly scores: Float32Array;
  readonly languages: Uint32Array;
  readonly nodes: Uint32Array;
  readonly causes: Uint32Array;
  /** Id of the record's tag set in `tagSets` (its tags joined by newlines, sorted). */
  readonly tagSetIds: Uint32Array;
  readonly languageNames = new Dictionary();
  readonly nodeNames = new Dictionary();
  readonly causeTexts = new Dictionary();
  readonly tagSets = new Dictionary();
  /** Each tag with the number of records that have it. */
  readonly tags = new Dictionary();
  /** Records whose facets are in (the columns fill in the background). */
  filled = 0;

  constructor(readonly size: number) {
    this.kinds = new Uint8Array(size);
    this.scores = new Float32Array(size).fill(Number.NaN);
    this.languages = new Uint32Array(size);
    this.nodes = new Uint32Array(size);
    this.causes = new Uint32Array(size);
    this.tagSetIds = new Uint32Array(size);
  }

  set(n: number, facets: LineFacets): void {
    this.kinds[n] = KINDS.indexOf(facets.kind);
    if (facets.score !== null) this.scores[n] = facets.score;
    this.languages[n] = this.languageNames.id(facets.language);
    this.nodes[n] = this.nodeNames.id(facets.node);
    this.causes[n] = this.causeTexts.id(facets.cause);
    facets.tags.sort();
    this.tagSetIds[n] = this.tagSets.id(facets.tags.join('\n'));
    for (const tag of facets.tags) this.tags.id(tag);
  }

  kind(n: number): LineKind {
    return KINDS[this.kinds[n]!]!;
  }

  /** Reads every record of `index` in order, parsing each once; `onProgress` gets the records done. */
  static async build(index: LineIndex, onProgress?: (filled: number) => void): Promise<FacetColumns> {
    const columns = new FacetColumns(index.count);
    let sinceReport = 0;
    // Read in 1 MB pieces: each is parsed in a few milliseconds, so pages asked for meanwhile wait no longer than that.
    await index.scan(
      0,
      index.count,
      (n, bytes) => {
        let value: unknown;
        try {
          value = JSON.parse(bytes.toString('utf8'));
        } catch {
          value = undefined;
        }
        columns.set(n, facetsOf(value));
        columns.filled = n + 1;
        if (++sinceReport === 10_000) {
          sinceReport = 0;
          onProgress?.(columns.filled);
        }
        return undefined;
      },
      1 << 20,
    );
    onProgress?.(columns.filled);
    return columns;
  }
}
