/** Token counts with gpt-tokenizer's o200k_base encoding (GPT-4o's), loaded on first use. */
export type CountTokens = (text: string) => number;

let counter: Promise<CountTokens> | null = null;

export const TOKEN_ENCODING = 'o200k_base';

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function loadTokenCounter(): Promise<CountTokens> {
  // Special-token text ("<|endoftext|>") in a record is counted as the plain text it is:
  // by default the tokenizer refuses it, which would fail any record that mentions one.
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text, PLAIN_TEXT));
  return counter;
}
