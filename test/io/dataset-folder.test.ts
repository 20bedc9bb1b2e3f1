import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { chooseSplits, datasetFiles, ShardLines, splitOfName } from '../../lib/io/dataset-folder.js';

t.test('the split a file belongs to, by the Hub naming conventions', async (t) => {
  t.equal(splitOfName('data/train-00000-of-00003.parquet'), 'train');
  t.equal(splitOfName('data/my_split-00012-of-00020.jsonl.gz'), 'my_split', 'any split name in the shard pattern');
  t.equal(splitOfName('test.jsonl'), 'test');
  t.equal(splitOfName('validation_part2.csv'), 'validation');
  t.equal(splitOfName('data/dev/part-1.parquet'), 'dev', 'a folder names it');
  t.equal(splitOfName('data/records.jsonl'), 'train', 'a file that names none is train, as on the Hub');
});

t.test('data files found under the folder, shards in numeric order, splits in the usual order', async (t) => {
  const dir = t.testdir({});
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, '.cache'), { recursive: true });
  for (const name of ['data/train-00010-of-00011.jsonl', 'data/train-00002-of-00011.jsonl', 'data/test-00000-of-00001.parquet', 'data/validation.jsonl', 'README.md', '.cache/x.jsonl', 'notes.txt'])
    await writeFile(join(dir, name), '');
  const files = await datasetFiles(dir);
  t.same(
    files.map((f) => [f.name, f.split, f.format]),
    [
      ['data/train-00002-of-00011.jsonl', 'train', 'jsonl'],
      ['data/train-00010-of-00011.jsonl', 'train', 'jsonl'],
      ['data/validation.jsonl', 'validation', 'jsonl'],
      ['data/test-00000-of-00001.parquet', 'test', 'parquet'],
    ],
  );
  t.same(chooseSplits('ds', files, undefined), { error: 'ds has the splits train, validation, test: choose with --split (e.g. --split train)' });
  t.same(chooseSplits('ds', files, ['nope']), { error: 'ds has no split nope (it has train, validation, test)' });
  const chosen = chooseSplits('ds', files, ['test', 'train']);
  t.same(
    'files' in chosen ? chosen.files.map((f) => f.name) : chosen,
    ['data/test-00000-of-00001.parquet', 'data/train-00002-of-00011.jsonl', 'data/train-00010-of-00011.jsonl'],
    'in the order asked',
  );
  t.match(chooseSplits('ds', [], undefined), { error: /^ds holds no data files/ });
  const single = chooseSplits('ds', files.slice(0, 2), undefined);
  t.equal('files' in single ? single.files.length : 0, 2, 'one split needs no --split');
});

t.test('a global line number names its shard and its line there', async (t) => {
  const shards = new ShardLines();
  shards.begin('a.parquet', 1);
  shards.begin('b.jsonl', 11);
  shards.begin('c.jsonl', 11);
  shards.begin('d.jsonl', 40);
  t.equal(shards.name(1), 'a.parquet:1');
  t.equal(shards.name(10), 'a.parquet:10');
  t.equal(shards.name(11), 'c.jsonl:1', 'an empty shard names no line');
  t.equal(shards.name(45), 'd.jsonl:6');
  t.equal(new ShardLines().name(3), null);
});
