import t from 'tap';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadTokenizerFile, type CountTokens } from '../../lib/quality/tokens.js';
import { FIXTURES } from '../cli-process.js';

t.test("tokens counted in a target model's own tokenizer.json", async (t) => {
  const count = (await loadTokenizerFile(join(FIXTURES, 'tokenizers', 'word-level', 'tokenizer.json'))) as CountTokens;
  t.equal(count('The sky is blue.'), 5, 'one token a word or mark, as the file says');
  t.equal(count('Why is the ocean blue?'), 6, 'unknown words are a token each');
  const dir = t.testdir({});
  await writeFile(join(dir, 'bad.json'), '{"model": {"type": "Nonsense"}}');
  t.match(await loadTokenizerFile(join(dir, 'bad.json')), { error: /not a tokenizer tokenizers\.js can load/ });
  t.match(await loadTokenizerFile(join(dir, 'missing.json')), { error: /cannot read .*ENOENT/ });
});
