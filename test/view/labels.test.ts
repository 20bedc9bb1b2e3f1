import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { LabelStore } from '../../lib/view/labels.js';

t.test('labels are appended; the latest line for a record wins; a reopened store reads them back', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'out.labels.jsonl');
  const store = await LabelStore.open(path);
  const at = new Date('2026-01-02T03:04:05Z');
  await Promise.all([
    store.set({ file: 'out.jsonl', line: 3, id: 'c', label: 'flag', note: 'check the maths' }, at),
    store.set({ file: 'out.jsonl', line: 3, id: 'c', label: 'accept', note: '' }, at),
    store.set({ file: 'rej.jsonl', line: 3, id: 'x', label: 'reject', note: '' }, at),
    store.set({ file: 'out.jsonl', line: 5, id: null, label: 'reject', note: '' }, at),
    store.set({ file: 'out.jsonl', line: 5, id: null, label: null, note: '' }, at),
  ]);
  const lines = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 5, 'every change is kept, in order');
  t.same(lines[0], { file: 'out.jsonl', line: 3, id: 'c', label: 'flag', note: 'check the maths', at: '2026-01-02T03:04:05.000Z' });
  t.equal(store.get('out.jsonl', 3)?.label, 'accept');
  t.equal(store.get('out.jsonl', 5), undefined, 'a cleared label');
  t.same(store.counts('out.jsonl'), { accept: 1, reject: 0, flag: 0 });
  const again = await LabelStore.open(path);
  t.equal(again.get('out.jsonl', 3)?.label, 'accept');
  t.equal(again.get('rej.jsonl', 3)?.label, 'reject');
});

t.test('a labels file that is not ours is refused with its line', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'l.jsonl');
  await writeFile(path, '{"file":"a","line":1,"label":"accept"}\nnope\n');
  await t.rejects(LabelStore.open(path), { message: `${path}:2: not JSON; the labels file is written by sygra-stream view (move it away to start afresh)` });
  await writeFile(path, '{"label":"accept"}\n');
  await t.rejects(LabelStore.open(path), { message: `${path}:1: a label line needs "file" and "line"` });
});
