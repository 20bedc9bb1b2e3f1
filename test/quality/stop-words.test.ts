import t from 'tap';
// This file's first measurement must be its own: the stop-word table is built on the first
// text measured, and building it once overwrote that text's words (the first record of a
// run got different n-gram and diversity values from the same record later).
import { textFeatures, wordHashes } from '../../lib/quality/text-features.js';
import { bestStopWordList, STOP_WORD_LANGUAGES, STOP_WORD_LISTS } from '../../lib/quality/stop-words.js';

t.test('the first text measured in a process keeps its own words', async (t) => {
  const text = 'the cat and the dog ran to the park with a ball';
  const first = textFeatures(text);
  t.same([...first.wordHashes], [...wordHashes(text)]);
  t.same([...textFeatures(text).wordHashes], [...first.wordHashes], 'the same as measured again');
});

t.test('each built-in list is one word per entry, at most 32, lower case, no repeats', async (t) => {
  for (const lang of STOP_WORD_LANGUAGES) {
    const words = STOP_WORD_LISTS[lang]!.words.split(' ');
    t.ok(words.length >= 20 && words.length <= 32, `${lang}: ${words.length} words`);
    t.equal(new Set(words).size, words.length, `${lang}: no repeats`);
    for (const w of words) if (w !== w.toLowerCase() || wordHashes(w).length !== 1) t.fail(`${lang}: "${w}"`);
  }
});

t.test('the best list is the language the text is written in', async (t) => {
  const best = (s: string, script: 'latin' | 'cyrillic'): string => bestStopWordList(textFeatures(s).stopWordBits, script).language;
  t.equal(best('The cat is in the garden and it is not happy.', 'latin'), 'en');
  t.equal(best('Der Hund ist nicht in dem Garten und er ist müde.', 'latin'), 'de');
  t.equal(best('El perro no está en el jardín y la casa es grande.', 'latin'), 'es');
  t.equal(best('Собака не в саду, и она устала от жары.', 'cyrillic'), 'ru');
  t.same(bestStopWordList(null, 'latin'), { language: '', count: 0 }, 'no stop word at all');
});
