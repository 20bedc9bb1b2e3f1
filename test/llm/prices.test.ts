import t from 'tap';
import { batchPrice, priceOf } from '../../lib/llm/prices.js';

t.test('the built-in table prices hosted models by name, dated and vendor-prefixed names too', async (t) => {
  t.same(priceOf('gpt-4o-mini', undefined).price, { input_per_mtok: 0.15, output_per_mtok: 0.6 }, 'not priced as gpt-4o');
  t.same(priceOf('gpt-4o-2024-08-06', undefined).price, { input_per_mtok: 2.5, output_per_mtok: 10 });
  t.same(priceOf('claude-sonnet-4-5-20250929', undefined).price, { input_per_mtok: 3, output_per_mtok: 15 });
  t.same(priceOf('openai/gpt-4.1-mini', undefined).price, { input_per_mtok: 0.4, output_per_mtok: 1.6 });
  t.match(priceOf('claude-haiku-4-5', undefined).source, /^built-in table \(\d{4}-\d{2}\): claude-haiku-4-5$/);
  t.same(priceOf('meta-llama/Llama-3.1-8B-Instruct', undefined), { source: null }, 'a local model has no price');
  t.same(priceOf('mock-1', undefined), { source: null });
  t.same(priceOf('gpt-4o-audio-preview-something', undefined), { source: null }, 'a variant is another model, not priced as its base');
});

t.test("the graph's price wins; batch price is half", async (t) => {
  const mine = { input_per_mtok: 1, output_per_mtok: 2 };
  t.same(priceOf('gpt-4o', mine), { price: mine, source: 'graph' });
  t.same(batchPrice({ input_per_mtok: 3, output_per_mtok: 15 }), { input_per_mtok: 1.5, output_per_mtok: 7.5 });
});
