/** Token counts with gpt-tokenizer's o200k_base encoding (GPT-4o's), loaded on first use. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { importModule } from '../config/import-module.js';

export type CountTokens = (text: string) => number;

let counter: Promise<CountTokens> | null = null;

export const TOKEN_ENCODING = 'o200k_base';

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function loadTokenCounter(): Promise<CountTokens> {
  // Special-token text ("<|endoftext|>") in a record is counted as the plain text it is:
  // by default the tokenizer refuses it, which would fail any record that mentions one.
  counter ??= importModule<typeof import('gpt-tokenizer/encoding/o200k_base')>('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text, PLAIN_TEXT));
  return counter;
}

/**
 * Token counts in a target model's own tokenizer: its `tokenizer.json` (with the
 * `tokenizer_config.json` beside it, when there is one), read by Hugging Face's
 * tokenizers.js. Special tokens are not added: the text is counted as it is.
 */
export async function loadTokenizerFile(file: string): Promise<CountTokens | { error: string }> {
  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code ? `cannot read ${file}: ${e.code}` : `${file} is not JSON` };
  }
  let config: unknown = {};
  try {
    config = JSON.parse(await readFile(join(dirname(file), 'tokenizer_config.json'), 'utf8'));
  } catch {
    // A tokenizer.json alone is enough to count tokens.
  }
  const { Tokenizer } = await import('@huggingface/tokenizers');
  try {
    const tokenizer = new Tokenizer(tokenizerJson as never, config as never);
    return (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  } catch (err) {
    return { error: `${file}: not a tokenizer tokenizers.js can load: ${(err as Error).message}` };
  }
}
