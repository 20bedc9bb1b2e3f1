import { canonicalJson, sha256 } from '../canonical.js';
import { hash32 } from '../../hashing/string-hash.js';
import type { ChatMessage, PromptLogprobs } from '../types.js';

/** The built-in reward model: a deterministic score in [-5, 5] for a conversation. */
export function mockReward(messages: readonly ChatMessage[]): number {
  const h = parseInt(sha256(canonicalJson(messages)).slice(0, 8), 16);
  return Math.round(((h / 0xffffffff) * 10 - 5) * 1000) / 1000;
}

/**
 * The built-in model's prompt log-probabilities: tokens are words with their trailing
 * space; each token's log-probability depends on it and the one before, deterministically,
 * and a word seen earlier in the prompt is likelier again, as with a real model, so a
 * question that shares words with its answer lowers the answer's perplexity.
 */
export function mockPromptLogprobs(prompt: string): PromptLogprobs {
  const offsets: number[] = [];
  const logprobs: Array<number | null> = [];
  const seen = new Set<string>();
  let prev = '';
  for (const m of prompt.matchAll(/\S+\s*/g)) {
    const word = m[0].trim().toLowerCase();
    offsets.push(m.index!);
    if (offsets.length === 1) logprobs.push(null);
    else {
      const base = 0.5 + (hash32(`${prev}|${word}`) % 400) / 100;
      logprobs.push(-Math.round((seen.has(word) ? base / 3 : base) * 1000) / 1000);
    }
    seen.add(word);
    prev = word;
  }
  return { offsets, logprobs };
}
