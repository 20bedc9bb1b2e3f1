import type { Price } from './budget.js';

/**
 * List prices of common hosted models, so that cost shows in --stats, progress and
 * --max-cost with no configuration. Prices change: this table is dated, a model's
 * `price:` overrides it, and --stats says which one was used.
 */
export const PRICE_TABLE_DATE = '2025-10';

/** US dollars per million tokens (input, output), standard tier, by model name. */
const TABLE: Record<string, readonly [number, number]> = {
  // OpenAI
  'gpt-5': [1.25, 10],
  'gpt-5-mini': [0.25, 2],
  'gpt-5-nano': [0.05, 0.4],
  'gpt-4.1': [2, 8],
  'gpt-4.1-mini': [0.4, 1.6],
  'gpt-4.1-nano': [0.1, 0.4],
  'gpt-4o': [2.5, 10],
  'gpt-4o-mini': [0.15, 0.6],
  o3: [2, 8],
  'o3-mini': [1.1, 4.4],
  'o4-mini': [1.1, 4.4],
  o1: [15, 60],
  'text-embedding-3-small': [0.02, 0],
  'text-embedding-3-large': [0.13, 0],
  // Anthropic
  'claude-opus-4-5': [5, 25],
  'claude-opus-4-1': [15, 75],
  'claude-opus-4': [15, 75],
  'claude-sonnet-4-5': [3, 15],
  'claude-sonnet-4': [3, 15],
  'claude-3-7-sonnet': [3, 15],
  'claude-haiku-4-5': [1, 5],
  'claude-3-5-haiku': [0.8, 4],
  // Google
  'gemini-2.5-pro': [1.25, 10],
  'gemini-2.5-flash': [0.3, 2.5],
  'gemini-2.5-flash-lite': [0.1, 0.4],
  'gemini-2.0-flash': [0.1, 0.4],
};

export interface PriceChoice {
  price?: Price;
  /** Where the price came from, for --stats: "graph", "built-in table (DATE): NAME", or null without one. */
  source: string | null;
}

/**
 * The price of a model: the graph's `price:`, else the table's entry for its name. Names
 * match with a dated or versioned suffix (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`)
 * and a router's vendor prefix (`openai/gpt-4o`); the longest entry that matches wins, so
 * `gpt-4o-mini` is not priced as `gpt-4o`.
 */
export function priceOf(model: string, written: Price | undefined): PriceChoice {
  if (written) return { price: written, source: 'graph' };
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  let best: string | null = null;
  for (const entry of Object.keys(TABLE)) {
    if (name !== entry && !name.startsWith(`${entry}-`) && !name.startsWith(`${entry}@`)) continue;
    if (best === null || entry.length > best.length) best = entry;
  }
  if (best === null) return { source: null };
  // A suffix that is a size or a variant, not a date or version, is another model.
  const suffix = name.slice(best.length + 1);
  if (suffix !== '' && !/^(\d{4}-?\d{2}-?\d{2}|\d{8}|latest|v\d+(:\d+)?|preview(-\d{2}-\d{4})?|\d{2}-\d{4})$/.test(suffix)) return { source: null };
  const [input, output] = TABLE[best]!;
  return { price: { input_per_mtok: input, output_per_mtok: output }, source: `built-in table (${PRICE_TABLE_DATE}): ${best}` };
}

/** Batch APIs charge half the standard price, for OpenAI and Anthropic alike. */
export function batchPrice(price: Price): Price {
  return { input_per_mtok: price.input_per_mtok / 2, output_per_mtok: price.output_per_mtok / 2 };
}
