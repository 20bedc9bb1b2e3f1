/**
 * Unicode classes of UTF-16 code units, looked up in a table instead of tested with a
 * `\p{…}` regex per character. The table for code points outside ASCII is filled a block
 * of 256 at a time, the first time a text uses that block, so start-up pays only for the
 * scripts it meets.
 */

/** \p{L}: a letter. */
export const LETTER = 1;
/** \p{Nd}: a decimal digit. */
export const DIGIT = 2;
/** \p{L}, \p{N} or \p{M}: part of a word. */
export const WORD = 4;
/** Han, Hiragana or Katakana: scripts without spaces, so each character is a word of its own. */
export const UNSPACED = 8;
/** \s in a JavaScript regex (what trim() removes). */
export const SPACE = 16;
/** A character that may end a sentence or a line: . ! ? 。！？… closing quotes and brackets, ` * : ; or a symbol (\p{So}, \p{Sk}). */
export const END_MARK = 32;
/** \p{M}: a combining mark. */
export const MARK = 64;

const classes = new Uint8Array(0x10000);
/** The code unit lower-cased, where lower-casing gives one code unit; else itself. */
const lower = new Uint16Array(0x10000);
const filled = new Uint8Array(256);

const LETTER_RE = /^\p{L}$/u;
const DIGIT_RE = /^\p{Nd}$/u;
const WORD_RE = /^[\p{L}\p{N}\p{M}]$/u;
const MARK_RE = /^\p{M}$/u;
const UNSPACED_RE = /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]$/u;
const SPACE_RE = /^\s$/u;
// Escaped: 。！？… ” ’ » (the bundle is kept ASCII, see scripts/bundle.ts).
const END_MARK_RE = /^[.!?\u3002\uff01\uff1f\u2026"'\u201d\u2019\u00bb)\]}`*:;\p{So}\p{Sk}]$/u;

function classify(ch: string): number {
  return (
    (LETTER_RE.test(ch) ? LETTER : 0) |
    (DIGIT_RE.test(ch) ? DIGIT : 0) |
    (WORD_RE.test(ch) ? WORD : 0) |
    (MARK_RE.test(ch) ? MARK : 0) |
    // Only letters and marks: kana and Han punctuation (、。) share the scripts but are no words.
    (UNSPACED_RE.test(ch) && WORD_RE.test(ch) ? UNSPACED : 0) |
    (SPACE_RE.test(ch) ? SPACE : 0) |
    (END_MARK_RE.test(ch) ? END_MARK : 0)
  );
}

function fill(block: number): void {
  for (let c = block << 8, end = c + 256; c < end; c++) {
    // A lone surrogate is no character; pairs are classified by `codePointClass`.
    const ch = String.fromCharCode(c);
    const surrogate = c >= 0xd800 && c <= 0xdfff;
    classes[c] = surrogate ? 0 : classify(ch);
    const lc = surrogate ? ch : ch.toLowerCase();
    lower[c] = lc.length === 1 ? lc.charCodeAt(0) : c;
  }
  filled[block] = 1;
}
fill(0);

/** The classes of a code unit of the Basic Multilingual Plane. */
export function unitClass(code: number): number {
  if (filled[code >>> 8] === 0) fill(code >>> 8);
  return classes[code]!;
}

/** The code unit lower-cased (one code unit in, one out). */
export function lowerUnit(code: number): number {
  if (filled[code >>> 8] === 0) fill(code >>> 8);
  return lower[code]!;
}

const astral = new Map<number, number>();
/** The classes of a code point above U+FFFF (emoji, historic scripts, rare Han), remembered. */
export function codePointClass(cp: number): number {
  if (cp <= 0xffff) return unitClass(cp);
  let c = astral.get(cp);
  if (c === undefined) {
    c = classify(String.fromCodePoint(cp));
    if (astral.size < 4096) astral.set(cp, c);
  }
  return c;
}
