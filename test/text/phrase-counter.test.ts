import t from 'tap';
import { lowerUnit, unitClass, UNSPACED, WORD } from '../../lib/text/char-class.js';
import { PhraseCounter } from '../../lib/text/phrase-counter.js';

const count = (phrases: string[], text: string): number => new PhraseCounter([phrases]).counts(text)[0]!;

const isWordUnit = (code: number): boolean => (unitClass(code) & WORD) !== 0 && (unitClass(code) & UNSPACED) === 0;

/**
 * The definition, read literally: at each start, the longest phrase there; then go on after
 * it. With `whole`, a phrase beginning (ending) with a word unit counts only where no word
 * unit comes just before (after) it.
 */
function reference(phrases: string[], text: string, whole = false): number {
  const fold = (s: string): string =>
    Array.from({ length: s.length }, (_, i) => {
      const c = s.charCodeAt(i);
      return String.fromCharCode(c === 0x2019 ? 39 : lowerUnit(c));
    }).join('');
  const folded = fold(text);
  const wanted = phrases.filter((p) => p !== '').map(fold);
  let n = 0;
  for (let at = 0; at < folded.length; ) {
    const fits = (p: string): boolean =>
      folded.startsWith(p, at) &&
      (!whole ||
        ((!isWordUnit(p.charCodeAt(0)) || at === 0 || !isWordUnit(text.charCodeAt(at - 1))) &&
          (!isWordUnit(p.charCodeAt(p.length - 1)) || at + p.length === text.length || !isWordUnit(text.charCodeAt(at + p.length)))));
    const longest = Math.max(0, ...wanted.filter(fits).map((p) => p.length));
    if (longest > 0) {
      n++;
      at += longest;
    } else at++;
  }
  return n;
}

t.test('case, apostrophes and literal text', async (t) => {
  t.equal(count(['as an ai language model'], 'As An AI Language Model, as an ai language model.'), 2);
  t.equal(count(["i can't"], "I can’t, i CAN'T"), 2, 'a curly apostrophe in the text matches a straight one in the phrase');
  t.equal(count(['i can’t'], "I can't"), 1, 'and the other way round');
  t.equal(count(['a.b', '(b) [c]?'], 'axb a.b (b) [c]?'), 2, 'phrases are literal text, not patterns');
  t.equal(count(['ПРИВЕТ'], 'привет, Привет'), 2, 'case-insensitive beyond ASCII');
  t.equal(count(['🎉🎉'], 'a🎉🎉🎉🎉b'), 2, 'surrogate pairs');
  t.equal(count([], 'anything'), 0);
  t.equal(count([''], 'anything'), 0, 'an empty phrase matches nothing');
  t.equal(count(['x'], ''), 0);
});

t.test('several lists in one pass: each is counted on its own terms', async (t) => {
  const counter = new PhraseCounter([['i cannot', 'i cannot assist with'], ['assist with that', 'that'], ['i cannot']]);
  t.same(counter.counts('I cannot assist with that.'), [1, 1, 1], 'overlaps between lists do not hide each other');
  t.same(counter.counts('nothing'), [0, 0, 0]);
  t.same(new PhraseCounter([]).counts('x'), []);
  t.throws(() => new PhraseCounter(Array.from({ length: 32 }, () => ['a'])), /at most 31 phrase lists/);
});

t.test('the longest phrase at the leftmost start wins, and occurrences do not overlap', async (t) => {
  const phrases = ['i cannot', 'i cannot assist with', 'assist'];
  t.equal(count(phrases, 'I cannot assist with that; I CANNOT.'), 2);
  t.equal(count(['abcd', 'bc'], 'abcd'), 1, 'a shorter phrase ending first but starting later loses');
  t.equal(count(['ab', 'bcde'], 'abcde'), 1, 'the leftmost start wins over a longer phrase after it');
  t.equal(count(['aa'], 'aaaaa'), 2);
  t.equal(count(['aba'], 'ababa'), 1);
  t.equal(count(['he', 'she', 'his', 'hers'], 'ushers'), 1, 'she, then nothing starts after it');
});

t.test('whole phrases: no match inside a longer word', async (t) => {
  const whole = (phrases: string[], text: string): number => new PhraseCounter([phrases], { whole: true }).counts(text)[0]!;
  t.equal(whole(['as an ai model'], 'As an AI modeler'), 0);
  t.equal(whole(['as an ai model'], 'As an AI model, I'), 1);
  t.equal(whole(['openai'], 'reopenAI'), 0);
  t.equal(whole(['(b)'], 'a(b)c'), 1, 'a phrase edged by punctuation needs no boundary');
  t.equal(whole(['模型'], '语言模型很好'), 1, 'Chinese is written without spaces: no boundary needed');
  t.equal(count(['as an ai model'], 'As an AI modeler'), 1, 'without whole, a substring counts');
});

t.test('agrees with the literal definition on random texts', async (t) => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const letters = ['a', 'b', 'A', 'B', "'", '’', ' ', 'é', 'É'];
  const word = (max: number): string => Array.from({ length: 1 + random(max) }, () => letters[random(letters.length)]).join('');
  let checked = 0;
  for (let round = 0; round < 400; round++) {
    const phrases = Array.from({ length: 1 + random(6) }, () => word(4));
    // Searched together with a second list, each list still counts as if alone.
    const others = Array.from({ length: 1 + random(4) }, () => word(3));
    const counter = new PhraseCounter([phrases, others]);
    for (let k = 0; k < 5; k++) {
      const text = word(60);
      const got = counter.counts(text);
      const want = [reference(phrases, text), reference(others, text)];
      if (got[0] !== want[0] || got[1] !== want[1]) {
        t.fail(`lists ${JSON.stringify([phrases, others])} in ${JSON.stringify(text)}: ${got} against ${want}`);
        return;
      }
      checked++;
    }
  }
  t.equal(checked, 2000, 'every text agreed, for both lists');
});

t.test('whole phrases agree with the literal definition on random texts', async (t) => {
  let seed = 11;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return (seed >>> 8) % n;
  };
  // Letters and a digit (word units), a Han character (a word of its own, not a word unit),
  // apostrophes, a hyphen and spaces: phrases starting and ending on each kind.
  const units = ['a', 'b', 'A', 'é', '1', '中', "'", '’', '-', ' ', ' '];
  const word = (max: number): string => Array.from({ length: 1 + random(max) }, () => units[random(units.length)]).join('');
  let checked = 0;
  let found = 0;
  for (let round = 0; round < 600; round++) {
    const phrases = Array.from({ length: 1 + random(6) }, () => word(4));
    const others = Array.from({ length: 1 + random(4) }, () => word(3));
    const counter = new PhraseCounter([phrases, others], { whole: true });
    for (let k = 0; k < 5; k++) {
      const text = word(80);
      const got = counter.counts(text);
      const want = [reference(phrases, text, true), reference(others, text, true)];
      if (got[0] !== want[0] || got[1] !== want[1]) {
        t.fail(`lists ${JSON.stringify([phrases, others])} in ${JSON.stringify(text)}: ${got} against ${want}`);
        return;
      }
      checked++;
      found += want[0]! + want[1]!;
    }
  }
  t.equal(checked, 3000, 'every text agreed, for both lists');
  t.ok(found > 1000, `with ${found} phrases found`);
});

t.test('a list too large for the transition table is refused, not run out of memory', async (t) => {
  // 200 distinct characters (Han, so no case folding merges them) and ~100,000 trie states: about 20 M table entries.
  const chars = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x4e00 + i));
  let seed = 11;
  const pick = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return chars[seed % chars.length]!;
  };
  const phrases = Array.from({ length: 5000 }, () => Array.from({ length: 20 }, pick).join(''));
  t.throws(() => new PhraseCounter([phrases.slice(0, 2500), phrases.slice(2500)]), /5000 phrases are too many to search at once/);
  t.same(new PhraseCounter([phrases.slice(0, 500)]).counts(phrases[7]!), [1], 'a tenth of the list is fine');
});
