import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FacetColumns, facetsOf, shownRecord } from '../../lib/view/facets.js';
import { LineIndex } from '../../lib/view/line-index.js';

const tagged = {
  id: 'a',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello' },
  ],
  meta: { lang: 'en', quality: { score: 7.5, rules: { word_count: { value: 1, pass: false }, refusal: { value: 0, pass: true } }, judge: { helpfulness: { score: 8, rationale: 'ok' } } } },
};

t.test('a tagged record: score, language, failed rules, judge scores, turns', async (t) => {
  t.same(facetsOf(tagged), { kind: 'record', score: 7.5, language: 'en', node: '', cause: '', tags: ['turns:2', 'rule:word_count', 'judge:helpfulness=8'] });
});

t.test('rejected and error lines show the record inside, with node and cause (numbers blanked)', async (t) => {
  const rejected = { line: 4, node: 'short', reason: 'when "record.q.length < 6" was false', record: { id: 'r', q: 'long one' } };
  t.same(shownRecord(rejected), { kind: 'rejected', record: rejected.record });
  t.match(facetsOf(rejected), { kind: 'rejected', node: 'short', cause: 'when "…" was false' });
  const error = { line: 12, node: null, error: 'malformed JSON: Expected property name at position 1', input: '{bad' };
  t.same(shownRecord(error), { kind: 'error', record: null });
  t.match(facetsOf(error), { kind: 'error', node: '(input)', cause: 'malformed JSON: Expected property name at position N', tags: [] });
  t.same(facetsOf([1, 2]), { kind: 'invalid', score: null, language: '', node: '', cause: '', tags: [] });
});

t.test('columns: built from a file, dictionaries count each value', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'f.jsonl');
  const other = { ...tagged, id: 'b', meta: { lang: 'de', quality: { score: 3, rules: { word_count: { value: 9, pass: true } } } } };
  await writeFile(path, [tagged, other, 'not json', tagged].map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n'));
  const index = await LineIndex.build(path);
  t.teardown(() => index.close());
  const columns = await FacetColumns.build(index);
  t.equal(columns.filled, 4);
  t.same(
    Array.from(columns.scores).map((s) => (Number.isNaN(s) ? null : s)),
    [7.5, 3, null, 7.5],
  );
  t.same(
    [0, 1, 2, 3].map((n) => columns.kind(n)),
    ['record', 'record', 'invalid', 'record'],
  );
  t.same(columns.languageNames.entries(), [
    { value: 'en', count: 2 },
    { value: '', count: 1 },
    { value: 'de', count: 1 },
  ]);
  t.same(
    columns.tags.entries().find((e) => e.value === 'rule:word_count'),
    { value: 'rule:word_count', count: 2 },
  );
  t.equal(columns.tagSetIds[0], columns.tagSetIds[3], 'equal tag sets share one id');
});
