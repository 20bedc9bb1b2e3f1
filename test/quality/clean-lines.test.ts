import t from 'tap';
import { LineCleaner } from '../../lib/quality/clean-lines.js';
import { DEFAULT_BOILERPLATE } from '../../lib/quality/rules.js';

const cleaner = new LineCleaner(DEFAULT_BOILERPLATE);

t.test('boilerplate lines and lines without words are dropped; the rest is kept as it was', async (t) => {
  const text = 'Here is the answer.\n\n=====\nIt has two lines.\n© 2024 Example Inc. All rights reserved.\n~~~~~\nPrivacy Policy | Terms of Use';
  const result = cleaner.clean(text);
  t.equal(result.text, 'Here is the answer.\n\nIt has two lines.');
  t.same(result.removed, [
    { line: 3, reason: 'symbol_line', text: '=====' },
    { line: 5, reason: 'boilerplate', text: '© 2024 Example Inc. All rights reserved.' },
    { line: 6, reason: 'symbol_line', text: '~~~~~' },
    { line: 7, reason: 'boilerplate', text: 'Privacy Policy | Terms of Use' },
  ]);
});

t.test('code blocks and Markdown structure are never dropped', async (t) => {
  const text = 'Code:\n```\n}\n// terms of use\n=====\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n> quoted\nDone.';
  const result = cleaner.clean(text);
  t.equal(result.text, text, 'braces, comments and rules inside a fence stay; tables and horizontal rules stay');
  t.same(result.removed, []);
});

t.test('a text with nothing to drop comes back untouched', async (t) => {
  const text = '  Indented first line\nsecond\n\n\n\nthird  ';
  t.same(cleaner.clean(text), { text, removed: [] });
});

t.test('lines of any script count as words', async (t) => {
  t.same(cleaner.clean('好的\n• • •\nКонец').removed, [{ line: 2, reason: 'symbol_line', text: '• • •' }]);
});
