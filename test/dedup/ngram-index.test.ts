import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { NgramIndex } from '../../lib/dedup/ngram-index.js';
import { FIXTURES } from '../cli-process.js';

async function benchmark(): Promise<string[]> {
  const text = await readFile(join(FIXTURES, 'benchmarks', 'arith-test.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { question: string }).question);
}

/** Changes that must not hide a copy: case, punctuation, white space. */
const disguises: Array<(q: string) => string> = [(q) => q, (q) => q.toUpperCase(), (q) => q.replace(/[.,?]/g, '').replace(/ /g, '   '), (q) => q.replace(/ /g, '\n').replace(/\./g, '!!')];

t.test('every planted overlap is found, exact or disguised; a clean control set of the same size is not flagged', async (t) => {
  const questions = await benchmark();
  const index = new NgramIndex(13, 8);
  for (const [row, q] of questions.entries()) index.add(q, 0, row);
  t.equal(index.tooShort, 1, '"Name the largest planet." is too short to index');
  let planted = 0;
  for (const [row, q] of questions.entries()) {
    if (q.split(' ').length < 8) continue;
    for (const disguise of disguises) {
      // Copied whole, inside other text, or only its last thirteen words.
      const words = q.split(' ');
      for (const text of [disguise(q), `Here is a problem for you. ${disguise(q)} Please show your work.`, `Solve this: ${disguise(words.slice(-13).join(' '))}`]) {
        planted++;
        const found = index.find(text);
        t.equal(found[0]?.row, row, `found in ${JSON.stringify(text.slice(0, 50))}`);
      }
    }
  }
  t.equal(planted, 9 * 4 * 3);
  // The control: the same topics and words, reworded, never thirteen words in a row.
  const control = questions.flatMap((q) => {
    const words = q.split(' ');
    return [words.filter((_, i) => i % 5 !== 2).join(' '), words.map((w, i) => (i % 6 === 5 ? `${w} really` : w)).join(' ')];
  });
  const clean = [...control, ...Array.from({ length: planted - control.length }, (_, i) => `A shop sells ${i} pencils and some erasers for a few dollars each week in town.`)];
  t.equal(clean.length, planted, 'a control set of the same size');
  t.same(
    clean.filter((text) => index.find(text).length > 0),
    [],
    'nothing clean is flagged',
  );
});

t.test('several reference sets: each overlap names its set; the index survives a round trip through bytes', async (t) => {
  const questions = await benchmark();
  const index = new NgramIndex(13, 8);
  index.add(questions[0]!, 0, 0);
  index.add('the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat', 1, 7);
  const text = `${questions[0]} And: The quick brown fox jumps over the lazy dog, while the cat sleeps on the warm mat.`;
  const found = index.find(text);
  t.same(
    found.map((f) => [f.benchmark, f.row]),
    [
      [0, 0],
      [1, 7],
    ],
  );
  t.equal(found[1]!.span, 'the quick brown fox jumps over the lazy dog while the cat sleeps', 'the first thirteen words that match');
  const again = NgramIndex.deserialize(index.serialize());
  t.same(again.find(text), found);
  t.equal(again.size, index.size);
});
