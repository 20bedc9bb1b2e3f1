import t from 'tap';
import { RULES, type TextRule } from '../../lib/quality/rules.js';
import { textFeatures } from '../../lib/quality/text-features.js';

// Each rule's value held to its source's definition, written out here the way the source
// computes it (datatrove's Gopher quality filter, NeMo Curator's heuristic filters), on
// texts where the two tokenisations agree: words separated by spaces, no punctuation glued
// to a word except where a rule counts it. Where ours differs on purpose (the rules table
// says how), the text avoids the difference and the test names it.

const value = (name: string, text: string, options = {}): number | null => (RULES.get(name) as TextRule).compute(textFeatures(text), options, null);

/** Gopher as datatrove computes it: words split on white space, lines split on line breaks. */
const gopher = {
  words: (text: string): string[] => text.split(/\s+/).filter((w) => w !== ''),
  meanWordLength(text: string): number {
    const words = this.words(text);
    return words.reduce((n, w) => n + w.length, 0) / words.length;
  },
  hashRatio: (text: string): number => (text.split('#').length - 1) / gopher.words(text).length,
  ellipsisRatio: (text: string): number => (text.split('...').length - 1 + text.split('…').length - 1) / gopher.words(text).length,
  bulletLines(text: string): number {
    const lines = text.split('\n');
    return lines.filter((l) => l.trimStart().startsWith('•') || l.trimStart().startsWith('-')).length / lines.length;
  },
  ellipsisLines(text: string): number {
    const lines = text.split('\n');
    return lines.filter((l) => l.trimEnd().endsWith('...') || l.trimEnd().endsWith('…')).length / lines.length;
  },
  alphaWords(text: string): number {
    const words = this.words(text);
    return words.filter((w) => /\p{L}/u.test(w)).length / words.length;
  },
  stopWords: (text: string): number => {
    const stop = new Set(['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with']);
    return new Set(gopher.words(text).filter((w) => stop.has(w))).size;
  },
  /** Lines that repeat an earlier line, over lines (the line count of Gopher's duplicate-line rule). */
  duplicateLines(text: string): number {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const seen = new Set<string>();
    let repeated = 0;
    for (const l of lines) {
      if (seen.has(l)) repeated++;
      seen.add(l);
    }
    return repeated / lines.length;
  },
};

/** NeMo Curator's heuristic filters, as written in its source. */
const nemo = {
  urls: (text: string): number => [...text.matchAll(/http[s]?:\/\/(?:[a-zA-Z]|[0-9]|[$-_@.&+]|[!*(),]|(?:%[0-9a-fA-F][0-9a-fA-F]))+/g)].reduce((n, m) => n + m[0].length, 0) / text.length,
  digits: (text: string): number => (text.match(/\p{Nd}/gu) ?? []).length / text.length,
  whiteSpace: (text: string): number => [...text].filter((c) => ['\t', '\n', '\r', ' '].includes(c)).length / text.length,
  parentheses: (text: string): number => (text.match(/[{}[\]()]/g) ?? []).length / text.length,
  longWord: (text: string): number =>
    Math.max(
      ...text
        .trim()
        .split(/\s+/)
        .map((w) => w.length),
    ),
};

const PROSE = 'the cat sat on the mat and the dog slept with the cat\nthe end of the story is near\nand that is all we have to say';
const LIST = '- first point here\n- second point here\n• third point\nan ending line...\nanother ending line…';
const TAGS = 'trends this year #ai #ml and more to come ... of the kind … we like';
const MIXED = 'see https://example.com/a?b=1 for 42 cases (and [3] notes) {ok}\twith tabs and supercalifragilistic words';

t.test('Gopher (datatrove): the quality rules', async (t) => {
  for (const text of [PROSE, LIST, TAGS]) {
    const label = JSON.stringify(text.slice(0, 30));
    t.equal(value('word_count', text), gopher.words(text).filter((w) => /[\p{L}\p{N}]/u.test(w)).length, `word_count ${label} (datatrove counts words that are not only symbols)`);
    t.equal(value('stop_words', text, { words: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'] }), gopher.stopWords(text), `stop_words with Gopher's list ${label}`);
    t.equal(value('ellipsis_line_fraction', text), gopher.ellipsisLines(text), `ellipsis_line_fraction ${label}`);
  }
  t.equal(value('mean_word_length', PROSE), gopher.meanWordLength(PROSE));
  t.equal(value('alpha_words', PROSE), gopher.alphaWords(PROSE));
  t.equal(value('alpha_words', 'go 1 2 3 now'), gopher.alphaWords('go 1 2 3 now'));
  // Hash and ellipsis ratios: datatrove divides by all its words, here the words without
  // the symbols ("#ai" is one word either way; "..." is a word for the whitespace split only).
  const tagWords = gopher.words(TAGS).filter((w) => /\p{L}/u.test(w)).length;
  t.equal(
    value('symbol_word_ratio', TAGS),
    Math.max(gopher.hashRatio(TAGS) * gopher.words(TAGS).length, gopher.ellipsisRatio(TAGS) * gopher.words(TAGS).length) / tagWords,
    'the larger of the hash and ellipsis counts, over words',
  );
  // Bullets: datatrove counts "•" and "-"; ours also the other glyphs NeMo Curator lists, and only non-empty lines.
  t.equal(value('bullet_line_fraction', LIST), gopher.bulletLines(LIST));
  t.equal(value('duplicate_line_fraction', 'a line here\nanother line\na line here\na line here'), gopher.duplicateLines('a line here\nanother line\na line here\na line here'));
});

t.test('NeMo Curator: the character filters', async (t) => {
  for (const text of [PROSE, MIXED]) {
    const label = JSON.stringify(text.slice(0, 30));
    t.equal(value('url_fraction', text), nemo.urls(text), `url_fraction ${label}`);
    t.equal(value('digit_fraction', text), nemo.digits(text), `digit_fraction ${label}`);
    t.equal(value('whitespace_fraction', text), nemo.whiteSpace(text), `whitespace_fraction ${label}`);
    t.equal(value('parenthesis_fraction', text), nemo.parentheses(text), `parenthesis_fraction ${label}`);
    t.equal(value('longest_word', text), nemo.longWord(text), `longest_word ${label}`);
  }
});
