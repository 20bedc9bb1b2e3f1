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
}

const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;

export function textFeatures(text: string): TextFeatures {
  const words = text.match(WORD) ?? [];
  const spacedWords = words.filter((w) => w.length > 1 || !UNSPACED.test(w));
  const lines = text.split('\n');
  let visibleChars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) visibleChars++;
  }
  return {
    text,
    visibleChars,
    words,
    spacedWords,
    lines,
    nonEmptyLines: lines.filter((l) => l.trim() !== ''),
    paragraphs: text.split(/\n\s*\n/).filter((p) => p.trim() !== ''),
  };
}

/** Share of word characters covered by the most frequent word n-gram. */
export function topNgramCoverage(words: readonly string[], n: number): number {
  const counts = new Map<string, number>();
  let best = '';
  let bestCount = 0;
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).join('\u0000');
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    if (c > bestCount || (c === bestCount && key < best)) {
      best = key;
      bestCount = c;
    }
  }
  const total = wordChars(words);
  if (bestCount < 2 || total === 0) return 0;
  return (bestCount * best.split('\u0000').reduce((s, w) => s + w.length, 0)) / total;
}

/** Share of word characters inside repeats of a word n-gram seen earlier in the text (first occurrences not counted). */
export function duplicateNgramCoverage(words: readonly string[], n: number): number {
  const seen = new Set<string>();
  const covered = new Uint8Array(words.length);
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).join('\u0000');
    if (seen.has(key)) for (let j = 0; j < n; j++) covered[i + j] = 1;
    else seen.add(key);
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
