import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FacetColumns } from '../../lib/view/facets.js';
import { LabelStore } from '../../lib/view/labels.js';
import { LineIndex } from '../../lib/view/line-index.js';
import { parseListQuery, selectRecords, type ViewedFile } from '../../lib/view/query.js';

function record(id: string, score: number | null, lang: string, failed: string[], text: string) {
  const rules = Object.fromEntries(failed.map((r) => [r, { value: 0, pass: false }]));
  return { id, lang, messages: [{ role: 'user', content: text }], quality: { ...(score === null ? {} : { score }), rules } };
}

const RECORDS = [
  record('a', 9, 'en', [], 'The Quick "brown" fox'),
  record('b', 2, 'de', ['truncated'], 'Ein Satz über Äpfel'),
  record('c', 5, 'en', ['truncated', 'refusal'], 'quick maths'),
  record('d', null, 'en', [], 'no score here'),
  record('e', 7, 'fr', ['refusal'], 'ÄPFEL et poires'),
];

async function viewed(t: Test): Promise<{ file: ViewedFile; labels: LabelStore }> {
  const dir = t.testdir({});
  const path = join(dir, 'out.jsonl');
  await writeFile(path, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const index = await LineIndex.build(path);
  t.teardown(() => index.close());
  const facets = await FacetColumns.build(index);
  return { file: { name: 'out.jsonl', index, facets }, labels: await LabelStore.open(join(dir, 'labels.jsonl')) };
}

const ids = (numbers: Uint32Array) => Array.from(numbers, (n) => RECORDS[n]!.id);
const query = (search: string) => parseListQuery(new URLSearchParams(search));

t.test('filters: score range, language, failed rules (all of them), label; sorts by score', async (t) => {
  const { file, labels } = await viewed(t);
  t.same(ids(await selectRecords(file, query(''), labels)), ['a', 'b', 'c', 'd', 'e']);
  t.same(ids(await selectRecords(file, query('score_min=5&score_max=9'), labels)), ['a', 'c', 'e']);
  t.same(ids(await selectRecords(file, query('score_min=5&score_below=9'), labels)), ['c', 'e'], 'score_below is exclusive');
  t.same(ids(await selectRecords(file, query('lang=en'), labels)), ['a', 'c', 'd']);
  t.same(ids(await selectRecords(file, query('tag=rule:truncated'), labels)), ['b', 'c']);
  t.same(ids(await selectRecords(file, query('tag=rule:truncated&tag=rule:refusal'), labels)), ['c']);
  t.same(ids(await selectRecords(file, query('lang=xx'), labels)), [], 'a value no record has matches nothing');
  t.same(ids(await selectRecords(file, query('sort=-score'), labels)), ['a', 'e', 'c', 'b', 'd'], 'unscored last');
  t.same(ids(await selectRecords(file, query('sort=score'), labels)), ['b', 'c', 'e', 'a', 'd']);
  await labels.set({ file: 'out.jsonl', line: 3, id: 'c', label: 'flag', note: '' });
  t.same(ids(await selectRecords(file, query('label=flag'), labels)), ['c']);
  t.same(ids(await selectRecords(file, query('label=none&lang=en'), labels)), ['a', 'd']);
});

t.test('free text: case-insensitive, in ASCII and beyond, quotes as JSON writes them', async (t) => {
  const { file, labels } = await viewed(t);
  t.same(ids(await selectRecords(file, query('q=QUICK'), labels)), ['a', 'c']);
  t.same(ids(await selectRecords(file, query('q=äpfel'), labels)), ['b', 'e']);
  t.same(ids(await selectRecords(file, query('q="brown"'), labels)), ['a']);
  t.same(ids(await selectRecords(file, query('q=quick&score_max=6'), labels)), ['c'], 'with another filter');
  t.same(ids(await selectRecords(file, query('q=nowhere'), labels)), []);
});

t.test('bad parameters are named; facet filters wait for the facets, paging and text do not', async (t) => {
  t.throws(() => query('score_min=high'), { message: 'score_min: not a number: high' });
  t.throws(() => query('label=maybe'), { message: 'label: one of accept, reject, flag, none (not maybe)' });
  t.throws(() => query('sort=id'), { message: 'sort: one of line, score, -score (not id)' });
  const { file, labels } = await viewed(t);
  const early = { ...file, facets: null };
  await t.rejects(selectRecords(early, query('lang=en'), labels), /still reading the records for filters/);
  t.same(ids(await selectRecords(early, query('q=fox'), labels)), ['a']);
});
