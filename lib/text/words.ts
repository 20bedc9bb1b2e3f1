/**
 * Word tokens, Unicode-aware: runs of letters, digits and combining marks; each Han,
 * Hiragana or Katakana character stands alone, since those scripts put no spaces between
 * words and a run of them would be a whole sentence.
 */
const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+/gu;

export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}
