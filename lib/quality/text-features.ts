/**
 * Measurements of one text, computed once and shared by every rule. Words are runs of
 * letters, digits and marks; each Han, Hiragana or Katakana character counts as a word of
 * its own, since those scripts put no spaces between words.
 */
export interface TextFeatures {
  readonly text: string;
  /** Characters other than white space. */
  readonly visibleChars: number;
  readonly words: readonly string[];
  /** Words from scripts that use spaces (for mean word length). */
  readonly spacedWords: readonly string[];
  readonly lines: readonly string[];
  readonly nonEmptyLines: readonly string[];
  readonly paragraphs: readonly string[];
  /** Character classes, counted in one pass. */
  readonly letters: number;
  readonly digits: number;
  readonly parentheses: number;
  readonly hashes: number;
  readonly controls: number;
  /** Longest run of one repeated character other than a space. */
  readonly longestRun: number;
}

const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;

export function textFeatures(text: string): TextFeatures {
  const words = text.match(WORD) ?? [];
  const spacedWords = words.filter((w) => w.length > 1 || !UNSPACED.test(w));
  const lines = text.split('\n');
  let visibleChars = 0;
  let letters = 0;
  let digits = 0;
  let parentheses = 0;
  let hashes = 0;
  let controls = 0;
  let longestRun = 0;
  let run = 0;
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = c === prev && c !== 32 ? run + 1 : 1;
    if (run > longestRun) longestRun = run;
    prev = c;
    if (c === 32 || c === 10 || c === 9 || c === 13) continue;
    visibleChars++;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) letters++;
    else if (c >= 48 && c <= 57) digits++;
    else if (c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125) parentheses++;
    else if (c === 35) hashes++;
    else if (c < 32 || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) controls++;
    else if (c > 127) {
      // Outside ASCII a code point may span two code units; classify it whole.
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (LETTER.test(ch)) letters++;
      else if (DIGIT.test(ch)) digits++;
      if (cp > 0xffff) i++;
    }
  }
  return {
    text,
    visibleChars,
    words,
    spacedWords,
    lines,
    nonEmptyLines: lines.filter((l) => l.trim() !== ''),
    paragraphs: text.split(/\n\s*\n/).filter((p) => p.trim() !== ''),
    letters,
    digits,
    parentheses,
    hashes,
    controls,
    longestRun,
  };
}

/**
 * Word ids for n-gram counting: equal words share an id, so an n-gram can be keyed by a
 * number computed from ids instead of a joined string. Cached per words array.
 */
const idCache = new WeakMap<readonly string[], Int32Array>();
function wordIds(words: readonly string[]): Int32Array {
  let ids = idCache.get(words);
  if (!ids) {
    const dict = new Map<string, number>();
    ids = new Int32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      let id = dict.get(words[i]!);
      if (id === undefined) dict.set(words[i]!, (id = dict.size + 1));
      ids[i] = id;
    }
    idCache.set(words, ids);
  }
  return ids;
}

/**
 * A number identifying the n-gram at `start`: two independent polynomial hashes of the
 * word ids, 26 bits each, side by side. Collisions need two simultaneous 26-bit
 * collisions inside one text; the rules tolerate that bound.
 */
function ngramKey(ids: Int32Array, start: number, n: number): number {
  let h1 = 17;
  let h2 = 31;
  for (let j = start; j < start + n; j++) {
    h1 = (Math.imul(h1, 0x01000193) + ids[j]!) & 0x3ffffff;
    h2 = (Math.imul(h2, 0x5bd1e995) + ids[j]! * 7919) & 0x3ffffff;
  }
  return h1 * 0x4000000 + h2;
}

/**
 * Counts of n-gram keys in typed arrays with open addressing, reused from text to text
 * (a stamp per slot marks what belongs to the current text, so clearing costs nothing).
 * The n-gram rules run nine passes over every text; a Map per pass cost most of their time.
 */
class NgramTable {
  private keys = new Float64Array(1024);
  private counts = new Int32Array(1024);
  private stamps = new Int32Array(1024);
  private stamp = 0;
  private mask = 1023;

  /** Empties the table for a text of `n` n-grams. */
  reset(n: number): void {
    let size = this.keys.length;
    while (size < n * 2) size *= 2;
    if (size !== this.keys.length) {
      this.keys = new Float64Array(size);
      this.counts = new Int32Array(size);
      this.stamps = new Int32Array(size);
      this.mask = size - 1;
      this.stamp = 0;
    }
    this.stamp++;
  }

  /** Adds one occurrence of `key`; returns its count so far. */
  add(key: number): number {
    let i = (key ^ (key / 0x4000000)) & this.mask;
    for (;;) {
      if (this.stamps[i] !== this.stamp) {
        this.stamps[i] = this.stamp;
        this.keys[i] = key;
        this.counts[i] = 1;
        return 1;
      }
      if (this.keys[i] === key) return ++this.counts[i]!;
      i = (i + 1) & this.mask;
    }
  }
}

const table = new NgramTable();

/** Share of word characters covered by the most frequent word n-gram. */
export function topNgramCoverage(words: readonly string[], n: number): number {
  const ids = wordIds(words);
  table.reset(words.length);
  let best = -1;
  let bestCount = 0;
  for (let i = 0; i + n <= words.length; i++) {
    const c = table.add(ngramKey(ids, i, n));
    if (c > bestCount) {
      best = i;
      bestCount = c;
    }
  }
  const total = wordChars(words);
  if (bestCount < 2 || total === 0) return 0;
  let chars = 0;
  for (let j = best; j < best + n; j++) chars += words[j]!.length;
  return (bestCount * chars) / total;
}

/** Share of word characters inside repeats of a word n-gram seen earlier in the text (first occurrences not counted). */
export function duplicateNgramCoverage(words: readonly string[], n: number): number {
  const ids = wordIds(words);
  table.reset(words.length);
  const covered = new Uint8Array(words.length);
  for (let i = 0; i + n <= words.length; i++) {
    if (table.add(ngramKey(ids, i, n)) > 1) covered.fill(1, i, i + n);
  }
  let dup = 0;
  for (let i = 0; i < words.length; i++) if (covered[i]) dup += words[i]!.length;
  const total = wordChars(words);
  return total === 0 ? 0 : dup / total;
}

function wordChars(words: readonly string[]): number {
  let n = 0;
  for (const w of words) n += w.length;
  return n;
}

/** Type-token ratio: distinct words over words (lower-cased). */
export function typeTokenRatio(words: readonly string[]): number | null {
  if (words.length === 0) return null;
  return new Set(words.map((w) => w.toLowerCase())).size / words.length;
}

/**
 * MTLD (McCarthy & Jarvis 2010): the mean length of word runs whose running type-token
 * ratio stays above 0.72, averaged over a forward and a backward pass.
 */
export function mtld(words: readonly string[], threshold = 0.72): number | null {
  if (words.length < 10) return null;
  const lower = words.map((w) => w.toLowerCase());
  const pass = (ws: readonly string[]): number => {
    let factors = 0;
    let types = new Set<string>();
    let tokens = 0;
    for (const w of ws) {
      tokens++;
      types.add(w);
      if (types.size / tokens <= threshold) {
        factors++;
        types = new Set();
        tokens = 0;
      }
    }
    if (tokens > 0) factors += (1 - types.size / tokens) / (1 - threshold);
    return factors === 0 ? ws.length : ws.length / factors;
  };
  return (pass(lower) + pass([...lower].reverse())) / 2;
}
