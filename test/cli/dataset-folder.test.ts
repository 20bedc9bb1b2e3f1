import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { lines, ndjson, runCli } from '../cli-process.js';

const KEEP = 'nodes:\n  short: { type: filter, when: "record.prompt.length < 12" }\n';

/** A dataset folder as the Hub lays one out: three Parquet shards of train (written by us), a JSONL test split. */
async function folder(t: Test): Promise<string> {
  const dir = t.testdir({ 'keep.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\n', 'short.yaml': KEEP });
  await mkdir(join(dir, 'ds', 'data'), { recursive: true });
  for (let shard = 0; shard < 3; shard++) {
    const records = Array.from({ length: 5 }, (_, i) => ({ id: `tr-${shard}-${i}`, prompt: i === 4 ? 'a rather long prompt' : `q ${shard}.${i}`, meta: { shard } }));
    const res = await runCli(['run', 'keep.yaml', '-o', `ds/data/train-0000${shard}-of-00003.parquet`, '-q'], { cwd: dir, input: ndjson(records) });
    t.equal(res.code, 0, res.stderr);
  }
  // No newline at the end of the split: its last line must not run into anything.
  await writeFile(join(dir, 'ds', 'data', 'test-00000-of-00001.jsonl'), '{"id":"te-0","prompt":"t 0"}\n{broken\n{"id":"te-2","prompt":"t 2"}');
  return dir;
}

t.test('a folder of three Parquet shards and a JSONL split: --split reads in order, with conservation', async (t) => {
  const dir = await folder(t);
  const both = await runCli(['run', 'keep.yaml', '-i', 'ds', '-q'], { cwd: dir });
  t.equal(both.code, 2);
  t.match(both.stderr, /ds has the splits train, test: choose with --split \(e\.g\. --split train\)/);
  const train = await runCli(['run', 'short.yaml', '-i', 'ds', '--split', 'train', '--stats', 'stats.json', '--rejected', 'rej.jsonl'], { cwd: dir });
  t.equal(train.code, 0, train.stderr);
  t.match(train.stderr, /reading split train: 3 files \(data\/train-00000-of-00003\.parquet …\) from ds/);
  t.same(
    lines(train.stdout).map((r) => r.id),
    ['tr-0-0', 'tr-0-1', 'tr-0-2', 'tr-0-3', 'tr-1-0', 'tr-1-1', 'tr-1-2', 'tr-1-3', 'tr-2-0', 'tr-2-1', 'tr-2-2', 'tr-2-3'],
    'shard by shard, in order',
  );
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { records_in: number; records_out: number; filtered: number; conserved: boolean };
  t.match(stats, { records_in: 15, records_out: 12, filtered: 3, conserved: true });
  t.same(
    lines(await readFile(join(dir, 'rej.jsonl'), 'utf8')).map((r) => [r.line, r.source]),
    [
      [5, 'data/train-00000-of-00003.parquet:5'],
      [10, 'data/train-00001-of-00003.parquet:5'],
      [15, 'data/train-00002-of-00003.parquet:5'],
    ],
    'each rejected line names its shard and its line there',
  );
  const mixed = await runCli(['run', 'keep.yaml', '-i', 'ds', '--split', 'test,train', '--errors', 'err.jsonl', '-q'], { cwd: dir });
  t.equal(mixed.code, 0, mixed.stderr);
  const ids = lines(mixed.stdout).map((r) => r.id);
  t.same(ids.slice(0, 3), ['te-0', 'te-2', 'tr-0-0'], 'test first, as asked; its unterminated last line stays whole');
  t.equal(ids.length, 17);
  t.match(lines(await readFile(join(dir, 'err.jsonl'), 'utf8')), [{ line: 2, source: 'data/test-00000-of-00001.jsonl:2', error: /malformed JSON/ }]);
  const unknown = await runCli(['run', 'keep.yaml', '-i', 'ds', '--split', 'dev'], { cwd: dir });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /ds has no split dev \(it has train, test\)/);
  const notFolder = await runCli(['run', 'keep.yaml', '--split', 'train'], { cwd: dir });
  t.equal(notFolder.code, 2);
  t.match(notFolder.stderr, /--split chooses splits of a dataset folder: give the folder as --input/);
});
