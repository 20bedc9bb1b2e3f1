import type { FacetColumns, LineKind } from './facets.js';
import { isLabel, type Label, type LabelStore } from './labels.js';
import type { LineIndex } from './line-index.js';

/** A filtered, sorted list of a file's records, as the viewer's list page asks for it. */
export interface ListQuery {
  scoreMin: number | null;
  scoreMax: number | null;
  /** An exclusive upper bound (the report's score bins link with it). */
  scoreBelow: number | null;
  language: string | null;
  node: string | null;
  cause: string | null;
  kind: LineKind | null;
  /** Every tag must be present (`rule:NAME` for a failed rule, `judge:NAME=S`, `turns:N`). */
  tags: string[];
  /** A label, or 'none' for records not labelled yet. */
  label: Label | 'none' | null;
  /** Free text, matched case-insensitively against the record's JSON text. */
  text: string;
  sort: 'line' | 'score' | '-score';
}

/** Reads a query from URL parameters; a value it cannot use is an error naming the parameter. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const number = (name: string): number | null => {
    const raw = params.get(name);
    if (raw === null || raw === '') return null;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name}: not a number: ${raw}`);
    return value;
  };
  const text = (name: string): string | null => {
    const raw = params.get(name);
    return raw === null || raw === '' ? null : raw;
  };
  const label = text('label');
  if (label !== null && label !== 'none' && !isLabel(label)) throw new Error(`label: one of accept, reject, flag, none (not ${label})`);
  const kind = text('kind');
  if (kind !== null && !['record', 'rejected', 'error', 'invalid'].includes(kind)) throw new Error(`kind: one of record, rejected, error, invalid (not ${kind})`);
  const sort = text('sort') ?? 'line';
  if (sort !== 'line' && sort !== 'score' && sort !== '-score') throw new Error(`sort: one of line, score, -score (not ${sort})`);
  return {
    scoreMin: number('score_min'),
    scoreMax: number('score_max'),
    scoreBelow: number('score_below'),
    language: text('lang'),
    node: text('node'),
    cause: text('cause'),
    kind: kind as LineKind | null,
    tags: params.getAll('tag').filter((t) => t !== ''),
    label: label as ListQuery['label'],
    text: params.get('q') ?? '',
    sort,
  };
}

/** True when the query needs the facet columns (anything but paging, text and labels). */
export function needsFacets(query: ListQuery): boolean {
  return (
    query.scoreMin !== null ||
    query.scoreMax !== null ||
    query.scoreBelow !== null ||
    query.language !== null ||
    query.node !== null ||
    query.cause !== null ||
    query.kind !== null ||
    query.tags.length > 0 ||
    query.sort !== 'line'
  );
}

export interface ViewedFile {
  /** The name given on the command line (labels name it). */
  name: string;
  index: LineIndex;
  /** Null until the background pass has read every record. */
  facets: FacetColumns | null;
}

/**
 * The record numbers (0-based) that match, in the order asked for. Facet filters are a
 * pass over typed arrays; a text search reads the file in large sequential chunks, and
 * only the records the other filters kept.
 */
export async function selectRecords(file: ViewedFile, query: ListQuery, labels: LabelStore): Promise<Uint32Array> {
  const { index, facets } = file;
  if (needsFacets(query) && !facets) throw new Error('still reading the records for filters; try again in a moment');
  const keep = facets ? facetTest(facets, query) : () => true;
  const labelTest = query.label === null ? () => true : (n: number) => (labels.get(file.name, n + 1)?.label ?? 'none') === query.label;
  let matches: Uint32Array = new Uint32Array(index.count);
  let found = 0;
  for (let n = 0; n < index.count; n++) if (keep(n) && labelTest(n)) matches[found++] = n;
  matches = matches.subarray(0, found);
  if (query.text !== '') matches = await textMatches(index, matches, query.text);
  if (query.sort !== 'line' && facets) {
    const scores = facets.scores;
    const direction = query.sort === 'score' ? 1 : -1;
    // Records without a score go last either way; ties keep file order.
    matches = Uint32Array.from(matches).sort((a, b) => {
      const x = scores[a]!;
      const y = scores[b]!;
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? a - b : 1) : -1;
      return (x - y) * direction || a - b;
    });
  }
  return matches;
}

function facetTest(facets: FacetColumns, query: ListQuery): (n: number) => boolean {
  const tests: Array<(n: number) => boolean> = [];
  const { scoreMin, scoreMax, scoreBelow } = query;
  if (scoreMin !== null) tests.push((n) => facets.scores[n]! >= scoreMin);
  if (scoreMax !== null) tests.push((n) => facets.scores[n]! <= scoreMax);
  if (scoreBelow !== null) tests.push((n) => facets.scores[n]! < scoreBelow);
  const equal = (column: Uint32Array, id: number | undefined) => (n: number) => column[n] === id;
  if (query.language !== null) tests.push(equal(facets.languages, facets.languageNames.lookup(query.language)));
  if (query.node !== null) tests.push(equal(facets.nodes, facets.nodeNames.lookup(query.node)));
  if (query.cause !== null) tests.push(equal(facets.causes, facets.causeTexts.lookup(query.cause)));
  if (query.kind !== null) {
    const kind = query.kind;
    tests.push((n) => facets.kind(n) === kind);
  }
  if (query.tags.length > 0) {
    // Which tag sets hold every tag asked for: decided once per set, not per record.
    const wanted = query.tags;
    const holds = facets.tagSets.values.map((set) => {
      const tags = set === '' ? [] : set.split('\n');
      return wanted.every((t) => tags.includes(t));
    });
    tests.push((n) => holds[facets.tagSetIds[n]!]!);
  }
  return (n) => tests.every((test) => test(n));
}

/** The records among `candidates` whose JSON text holds `text` (case-insensitive, as JSON escapes it). */
async function textMatches(index: LineIndex, candidates: Uint32Array, text: string): Promise<Uint32Array> {
  const needle = JSON.stringify(text.toLowerCase()).slice(1, -1);
  const ascii = /^[\x20-\x7e]*$/.test(needle);
  const lower = Buffer.from(needle);
  const upper = Buffer.from(needle.toUpperCase());
  const out = new Uint32Array(candidates.length);
  let found = 0;
  let next = 0;
  if (candidates.length === 0) return out;
  await index.scan(candidates[0]!, candidates[candidates.length - 1]! + 1, (n, bytes) => {
    if (n !== candidates[next]) return undefined;
    next++;
    if (ascii ? asciiIncludes(bytes, lower, upper) : bytes.toString('utf8').toLowerCase().includes(needle)) out[found++] = n;
    return undefined;
  });
  return out.subarray(0, found);
}

/**
 * Case-insensitive search of ASCII `lower`/`upper` in bytes, without decoding: a native
 * search for the needle's first byte in either case, then a byte compare.
 */
function asciiIncludes(bytes: Buffer, lower: Buffer, upper: Buffer): boolean {
  const length = lower.length;
  if (length === 0) return true;
  const last = bytes.length - length;
  const a = lower[0]!;
  const b = upper[0]!;
  for (let i = 0; i <= last; i++) {
    const c = bytes[i]!;
    if (c !== a && c !== b) continue;
    let j = 1;
    while (j < length && (bytes[i + j] === lower[j] || bytes[i + j] === upper[j])) j++;
    if (j === length) return true;
  }
  return false;
}
