/** Token counts with gpt-tokenizer's o200k_base encoding (GPT-4o's), loaded on first use. */
export type CountTokens = (text: string) => number;

let counter: Promise<CountTokens> | null = null;

export const TOKEN_ENCODING = 'o200k_base';

export function loadTokenCounter(): Promise<CountTokens> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text));
  return counter;
}
