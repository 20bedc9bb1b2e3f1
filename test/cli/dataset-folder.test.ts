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

t.test('--output DIR/: Parquet shards in the Hub layout, one schema, a card that declares them; read back the same', async (t) => {
  const dir = t.testdir({ 'keep.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\n' });
  const records = Array.from({ length: 25 }, (_, i) => ({
    id: `r${i}`,
    messages: [
      { role: 'user', content: `question ${i}` },
      { role: 'assistant', content: `answer ${i}` },
    ],
    // A field only late records have: the schema still comes from all the first records, not the first shard.
    ...(i === 23 ? { meta: { lang: 'en' } } : {}),
  }));
  const input = ndjson(records);
  const wrote = await runCli(['run', 'keep.yaml', '-o', 'out/', '--shard-size', '10', '-q'], { cwd: dir, input });
  t.equal(wrote.code, 0, wrote.stderr);
  const { readdir } = await import('node:fs/promises');
  t.same(await readdir(join(dir, 'out', 'data')), ['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet', 'train-00002-of-00003.parquet']);
  const back = await runCli(['run', 'keep.yaml', '-i', 'out', '-q'], { cwd: dir });
  t.equal(back.stdout, input, 'the folder read back: byte for byte');
  const { parse } = await import('yaml');
  const card = await readFile(join(dir, 'out', 'README.md'), 'utf8');
  const front = parse(card.split('---\n')[1]!) as Record<string, unknown>;
  t.same(front.configs, [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }]);
  t.same((front.dataset_info as { splits: unknown }).splits, [{ name: 'train', num_examples: 25 }]);
  t.same((front.dataset_info as { features: unknown[] }).features.slice(0, 2), [
    { name: 'id', dtype: 'string' },
    {
      name: 'messages',
      list: [
        { name: 'role', dtype: 'string' },
        { name: 'content', dtype: 'string' },
      ],
    },
  ]);
  t.same(front.size_categories, ['n<1K']);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = await db.runAndReadAll(`select count(*), count(distinct id) from read_parquet('${join(dir, 'out', 'data', '*.parquet')}')`);
  t.same(rows.getRows()[0]!.map(Number), [25, 25], 'DuckDB reads the three shards as one table');
  db.closeSync();

  // Again, as the test split and with bigger shards: train stays, test is added; a rerun replaces its split.
  const test = await runCli(['run', 'keep.yaml', '-o', 'out/', '--output-split', 'test', '--shard-size', '100', '-q'], { cwd: dir, input });
  t.equal(test.code, 0, test.stderr);
  const again = await runCli(['run', 'keep.yaml', '-o', 'out/', '--shard-size', '20', '-q'], { cwd: dir, input });
  t.equal(again.code, 0, again.stderr);
  t.same(await readdir(join(dir, 'out', 'data')), ['test-00000-of-00001.parquet', 'train-00000-of-00002.parquet', 'train-00001-of-00002.parquet'], 'the old train shards are gone');
  const card2 = parse((await readFile(join(dir, 'out', 'README.md'), 'utf8')).split('---\n')[1]!) as { configs: Array<{ data_files: unknown }> };
  t.same(
    card2.configs[0]!.data_files,
    [
      { split: 'train', path: 'data/train-*' },
      { split: 'test', path: 'data/test-*' },
    ],
    'the card declares both splits',
  );
  const bad = await runCli(['run', 'keep.yaml', '-o', 'x.jsonl', '--shard-size', '5'], { cwd: dir, input });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--shard-size goes with a dataset folder as --output \(a path ending in \/\)/);
});
