import t from 'tap';
import stringWidth from 'string-width';
import displayWidth from '../../lib/text/display-width.js';

// Columns counted by hand: ASCII one each, CJK two, an emoji two, a combining mark none,
// escape codes none unless counted.
const CASES: Array<[string, number, string]> = [
  ['', 0, 'empty'],
  ['--input FILE', 12, 'printable ASCII'],
  ['\u001b[1m--help\u001b[22m', 6, 'bold: the escape codes take no column'],
  ['中文', 4, 'two wide characters'],
  ['日本語のテキスト', 16, 'Japanese, all wide'],
  ['한국어', 6, 'Hangul syllables, wide'],
  ['e\u0301te\u0301', 3, 'combining acute accents add nothing'],
  ['café', 4, 'precomposed é is one column'],
  ['👍', 2, 'an emoji'],
  ['👨‍👩‍👧', 2, 'a family joined by zero-width joiners is one emoji'],
  ['🇫🇷', 2, 'a flag'],
  ['a\u200bb', 2, 'a zero-width space takes no column'],
  ['±', 1, 'an ambiguous character is narrow by default'],
  ['…', 1, 'the ellipsis of help text'],
];

t.test('widths counted by hand', async (t) => {
  for (const [text, width, why] of CASES) t.equal(displayWidth(text), width, `${JSON.stringify(text)}: ${why}`);
});

t.test('options: ambiguous characters wide, escape codes counted', async (t) => {
  t.equal(displayWidth('±', { ambiguousIsNarrow: false }), 2);
  t.equal(displayWidth('\u001b[1mab', { countAnsiEscapeCodes: true }), 5, 'ESC [ 1 m a b: the escape is a control, the other five print');
});

t.test('agrees with the string-width package it stands in for', async (t) => {
  for (const [text] of CASES) t.equal(displayWidth(text), stringWidth(text), JSON.stringify(text));
  t.equal(displayWidth('±', { ambiguousIsNarrow: false }), stringWidth('±', { ambiguousIsNarrow: false }));
});
