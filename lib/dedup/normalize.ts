import { hash64, hash64Finish } from '../hashing/string-hash.js';

export interface NormalizeOptions {
  /** Lower-case (default true). */
  case?: boolean;
  /** Collapse runs of white space to one space and trim (default true). */
  whitespace?: boolean;
  /** Remove punctuation and symbols (default false). */
  punctuation?: boolean;
  /** Unicode NFKC: full-width forms, ligatures and compatibility characters fold to their plain form (default true). */
  unicode?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included
const ASCII = /^[\x00-\x7f]*$/;
const SPACES = /\s+/g;
const PUNCTUATION = /[\p{P}\p{S}]+/gu;

/** ASCII codes lower-cased (A–Z to a–z). */
const LOWER = new Uint8Array(128).map((_, c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
/** ASCII white space as `\s` and trim() know it: tab, line feed, vertical tab, form feed, carriage return, space. */
const SPACE = new Uint8Array(128).map((_, c) => ((c >= 0x09 && c <= 0x0d) || c === 0x20 ? 1 : 0));

/**
 * A function that writes hash64 of the normalised form of a text into `out`, as
 * hash64(normalize(text)) would, built once per node. ASCII text with the usual options
 * (white space collapsed, punctuation kept) is hashed in one pass over its characters,
 * lower-casing and collapsing on the way, with no normalised copy made; other text is
 * normalised first.
 */
export function makeNormalizedHasher(options: NormalizeOptions = {}): (text: string, out: Uint32Array) => void {
  const normalize = makeNormalizer(options);
  const { case: lower = true, whitespace = true, punctuation = false } = options;
  const fast = whitespace && !punctuation;
  return (text, out) => {
    if (fast && hashAsciiCollapsed(text, lower, out)) return;
    hash64(normalize(text), out);
  };
}

/** hash64 of an ASCII text with white space collapsed and trimmed (and lower-cased); false, with `out` untouched, for other text. */
function hashAsciiCollapsed(text: string, lower: boolean, out: Uint32Array): boolean {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  let length = 0;
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x80) return false;
    if (SPACE[c] === 1) {
      // A run of white space counts once, and only between words.
      pendingSpace = length > 0;
      continue;
    }
    if (pendingSpace) {
      a = Math.imul(a ^ 0x20, 0x01000193);
      b = Math.imul((b ^ 0x20) + (b >>> 15), 0x5bd1e995);
      length++;
      pendingSpace = false;
    }
    if (lower) c = LOWER[c]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul((b ^ c) + (b >>> 15), 0x5bd1e995);
    length++;
  }
  hash64Finish(a, b, length, out);
  return true;
}

/** A function that puts text in the form compared for duplicates, built once per node. */
export function makeNormalizer(options: NormalizeOptions = {}): (text: string) => string {
  const { case: lower = true, whitespace = true, punctuation = false, unicode = true } = options;
  return (text) => {
    // ASCII is already NFKC: skip the Unicode tables for the common case.
    if (unicode && !ASCII.test(text)) text = text.normalize('NFKC');
    if (lower) text = text.toLowerCase();
    if (punctuation) text = text.replace(PUNCTUATION, ' ');
    if (whitespace) text = text.replace(SPACES, ' ').trim();
    return text;
  };
}
