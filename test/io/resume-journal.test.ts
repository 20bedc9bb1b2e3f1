import t from 'tap';
import { appendFile, readFile, rename, stat, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FinishedKeys, journalPathOf, resumeFromJournal, ResumeJournal } from '../../lib/io/resume-journal.js';
import { FinishedIds } from '../../lib/io/resume.js';
import type { Item } from '../../lib/record/item.js';

const noScan = async (): Promise<void> => undefined;

function item(seq: number, keys: FinishedKeys, id: string): Item {
  const entry = keys.next(id);
  if (entry === null) throw new Error(`${id} is finished`);
  return { seq, line: seq + 1, record: { id }, route: null, id, resume: entry };
}

t.test('records are known by id and occurrence: the k-th copy of an id is its own record', async (t) => {
  const keys = new FinishedKeys();
  const a1 = keys.next('a')!;
  const a2 = keys.next('a')!;
  const b1 = keys.next('b')!;
  t.not(`${a1.hi}:${a1.lo}`, `${a2.hi}:${a2.lo}`, 'two copies of one id have two keys');
  t.not(`${a1.hi}:${a1.lo}`, `${b1.hi}:${b1.lo}`);
  t.equal(keys.repeats, 1, 'one record repeated an id');

  // Ids counted in files without a journal: an id finished twice finishes its first two records.
  const ids = new FinishedIds();
  ids.add('a');
  ids.add('a');
  const counted = new FinishedKeys();
  counted.addCounted(ids, false);
  t.equal(counted.next('a'), null);
  t.equal(counted.next('a'), null);
  t.not(counted.next('a'), null, 'the third copy was not finished');
  t.not(counted.next('b'), null);
});

t.test('gather holds the items of a fanned-out record until its last one comes', async (t) => {
  const dir = t.testdir({ 'out.jsonl': '' });
  const keys = new FinishedKeys();
  const journal = await ResumeJournal.start({ output: join(dir, 'out.jsonl') }, 'id', keys);
  t.teardown(() => journal.close());
  const parent = item(0, keys, 'p');
  parent.resume!.left += 2; // the node made three items of it
  const child1: Item = { ...parent, record: { id: 'p', k: 1 } };
  const child2: Item = { ...parent, record: { id: 'p', k: 2 } };
  const other = item(1, keys, 'q');
  t.same(journal.gather([parent, other]), [other], 'the parent waits; the other record goes on');
  t.same(journal.gather([child1]), [], 'still one to come');
  t.same(journal.gather([child2]), [parent, child1, child2], 'all three together, in arrival order');
});

t.test('a journal cuts the files back to what it vouches for, and names the finished records', async (t) => {
  const dir = t.testdir({ 'out.jsonl': '', 'err.jsonl': '' });
  const output = join(dir, 'out.jsonl');
  const errors = join(dir, 'err.jsonl');
  let errorBytes = 0;
  const keys = new FinishedKeys();
  const journal = await ResumeJournal.start({ output, errors: { path: errors, bytes: () => errorBytes } }, 'id', keys);
  const done = item(0, keys, 'a');
  const failedItem = item(1, keys, 'b');
  failedItem.outcome = { kind: 'error', node: 'n', error: 'bad' };
  const batch = journal.gather([done, failedItem]);
  await appendFile(output, '{"id":"a"}\n');
  await appendFile(errors, '{"id":"b","error":"bad"}\n');
  errorBytes = '{"id":"b","error":"bad"}\n'.length;
  await journal.afterBatch(batch, '{"id":"a"}\n'.length);
  await journal.close();
  // A kill after the next batch was written but before its journal line.
  await appendFile(output, '{"id":"c"}\n{"id":"d","tor');

  const again = await resumeFromJournal({ output, errors }, 'id', false, noScan);
  t.equal(again.journalNotUsed, null);
  t.equal(await readFile(output, 'utf8'), '{"id":"a"}\n', 'the batch the journal never named is cut off');
  t.equal(again.finished.next('a'), null, 'a is done');
  t.equal(again.finished.next('b'), null, 'b failed, and counts as finished');
  t.not(again.finished.next('c'), null, 'c is done again');

  const retry = await resumeFromJournal({ output, errors }, 'id', true, noScan);
  t.equal(retry.finished.next('a'), null);
  t.not(retry.finished.next('b'), null, '--retry-errors: the failed record is done again');
});

t.test('a journal that does not fit the files is set aside for the ids in them; a damaged tail is an error', async (t) => {
  const dir = t.testdir({ 'out.jsonl': '{"id":"a"}\n' });
  const output = join(dir, 'out.jsonl');
  const scanned: string[] = [];
  const scan = async (): Promise<void> => void scanned.push('scan');
  await ResumeJournal.start({ output }, 'id', new FinishedKeys()).then((j) => j.close());

  const otherField = await resumeFromJournal({ output }, 'uid', false, scan);
  t.match(otherField.journalNotUsed, /written with --id-field id/);
  const withRejected = await resumeFromJournal({ output, rejected: join(dir, 'rej.jsonl') }, 'id', false, scan);
  t.match(withRejected.journalNotUsed, /written without --rejected/);

  // Replaced by a run without --resume (a new file under the old name).
  await copyFile(output, join(dir, 'new.jsonl'));
  await rename(join(dir, 'new.jsonl'), output);
  const replaced = await resumeFromJournal({ output }, 'id', false, scan);
  t.match(replaced.journalNotUsed, /out\.jsonl was replaced since/);
  t.equal(scanned.length, 3, 'each time the files were read for ids instead');

  await ResumeJournal.start({ output }, 'id', new FinishedKeys()).then((j) => j.close());
  await appendFile(output, 'not json\n{"id":"b"}\n');
  await t.rejects(resumeFromJournal({ output }, 'id', false, scan), /out\.jsonl:2: not a JSON line; cannot resume from a damaged file/);
  t.equal((await stat(output)).size, '{"id":"a"}\nnot json\n{"id":"b"}\n'.length, 'a damaged file is not cut');

  await writeFile(journalPathOf(output), '{"sygra_resume":1,"id_field":"id"}\n{oops\n');
  const damaged = await resumeFromJournal({ output }, 'id', false, scan);
  t.match(damaged.journalNotUsed, /out\.jsonl\.resume:2: not a JSON line/);
});
