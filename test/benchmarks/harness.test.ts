import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCli, publishTable } from '../../benchmarks/harness.js';

t.test('publishTable writes a Markdown table between its markers, and only there', async (t) => {
  const dir = t.testdir();
  const page = join(dir, 'perf.md');
  writeFileSync(page, 'Before.\n\n<!-- bench:x (written by a bench) -->\nold table\n<!-- /bench:x -->\n\nAfter.\n');
  publishTable(
    page,
    'x',
    'npm run bench:x',
    ['input', 'records/s'],
    [
      ['a | b', 12345],
      ['c', 0.5],
    ],
  );
  const text = readFileSync(page, 'utf8');
  t.match(
    text,
    /^Before\.\n\n<!-- bench:x \(written by a bench\) -->\n\n\| input \| records\/s \|\n\|---\|---\|\n\| a \\\| b \| 12,345 \|\n\| c \| 0\.50 \|\n\nMeasured \d{4}-\d\d-\d\d by `npm run bench:x` on \d+ cores .*\n\n<!-- \/bench:x -->\n\nAfter\.\n$/,
  );
  t.notMatch(text, /old table/);
  const other = join(dir, 'other.md');
  writeFileSync(other, 'no markers\n');
  publishTable(other, 'x', 'npm run bench:x', ['a'], [[1]]);
  t.equal(readFileSync(other, 'utf8'), 'no markers\n', 'a page without the markers is left alone');
});

t.test('under bench:compare the tables go to its file as JSON lines, and the page stays as it is', async (t) => {
  const dir = t.testdir();
  const page = join(dir, 'perf.md');
  const before = '<!-- bench:x (written by a bench) -->\nold table\n<!-- /bench:x -->\n';
  writeFileSync(page, before);
  const collected = join(dir, 'tables.jsonl');
  process.env.SYGRA_BENCH_TABLES = collected;
  t.teardown(() => delete process.env.SYGRA_BENCH_TABLES);
  publishTable(page, 'x', 'npm run bench:x', ['run', 'x floor'], [['ours', 1.5]]);
  publishTable(page, 'y', 'npm run bench:y', ['run', 'ratio'], [['theirs', '0.80 (÷ wc)']]);
  t.equal(readFileSync(page, 'utf8'), before);
  t.same(
    readFileSync(collected, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    [
      { name: 'x', header: ['run', 'x floor'], rows: [['ours', 1.5]] },
      { name: 'y', header: ['run', 'ratio'], rows: [['theirs', '0.80 (÷ wc)']] },
    ],
  );
});

t.test('benchCli is this checkout’s build unless bench:compare names another', async (t) => {
  t.match(benchCli(), /[\\/]dist[\\/]sygra-stream\.mjs$/);
  process.env.SYGRA_BENCH_CLI = '/elsewhere/dist/sygra-stream.mjs';
  t.teardown(() => delete process.env.SYGRA_BENCH_CLI);
  t.equal(benchCli(), '/elsewhere/dist/sygra-stream.mjs');
});
