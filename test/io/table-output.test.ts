import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t from 'tap';
import { plainIfDistinct } from '../../lib/io/parquet-encoding.js';
import { GROUP_ROWS, ParquetOutput, TableOutput } from '../../lib/io/table-output.js';

type Row = Record<string, unknown>;

/** Notes what the base class hands over, and when. */
class NotingOutput extends TableOutput {
  readonly calls: string[] = [];
  protected async begin(columns: string[], firstRows: Row[]): Promise<void> {
    this.calls.push(`begin ${columns.join(',')} ${firstRows.length}`);
  }
  protected appendRows(rows: Row[]): void {
    this.calls.push(`append ${rows.length}`);
  }
  protected async endGroup(): Promise<void> {
    this.calls.push('end group');
  }
  protected async close(): Promise<void> {
    this.calls.push('close');
  }
}

function write(out: TableOutput, rows: Row[]): Promise<void> {
  return new Promise((resolve, reject) => out.write(rows, (err) => (err ? reject(err) : resolve())));
}

const rows = (n: number, from = 0): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, text: `t${from + i}` }));

t.test('after the first group fixes the columns, each batch is handed over as it comes, not held for its group', async (t) => {
  const out = new NotingOutput();
  for (let i = 0; i < GROUP_ROWS / 1000; i++) await write(out, rows(1000, i * 1000));
  t.same(out.calls, [`begin id,text ${GROUP_ROWS}`, `append ${GROUP_ROWS}`, 'end group'], 'the first group: begun, appended and written');
  await write(out, rows(5, GROUP_ROWS));
  t.same(out.calls.slice(3), ['append 5'], 'a later batch is appended at once, before its group is complete');
  out.end();
  await finished(out);
  t.same(out.calls.slice(3), ['append 5', 'end group', 'close'], 'the last, short group is written at the end');
});

t.test('a batch that completes the first group is checked against the columns from its next row on', async (t) => {
  const out = new NotingOutput();
  const failed = new Promise<Error>((resolve) => out.on('error', resolve));
  await write(out, rows(GROUP_ROWS - 1));
  const late = [...rows(1, GROUP_ROWS - 1), { id: 1, text: 'x', extra: true }];
  await t.rejects(write(out, late), /output record 10001 has a field "extra" that the first 10000 records did not have/);
  t.match((await failed).message, /record 10001/, 'the stream fails with it');
});

t.test('no rows: begun with no columns, then closed', async (t) => {
  const out = new NotingOutput();
  out.end();
  await finished(out);
  t.same(out.calls, ['begin  0', 'close']);
});

t.test('a text column is PLAIN when its sampled values all differ; one repeat leaves the choice to the writer', async (t) => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  t.equal(plainIfDistinct(['a', 'b', 'c'].map(bytes)), 'PLAIN');
  t.equal(plainIfDistinct(['a', 'b', 'a'].map(bytes)), undefined, 'a repeat among few values');
  // 1,000 values, sampled at 256 evenly spaced places (0, 3.9, 7.8 … 999): a repeat the sample meets.
  const many = Array.from({ length: 1000 }, (_, i) => bytes(`reply ${i}`));
  t.equal(plainIfDistinct(many), 'PLAIN');
  many[999] = bytes('reply 0');
  t.equal(plainIfDistinct(many), undefined, 'the first and last values are sampled and equal');
  t.equal(plainIfDistinct([null, bytes('x'), null]), 'PLAIN', 'nulls are not values');
  t.equal(plainIfDistinct([null, null]), undefined, 'nothing but nulls: the writer decides');
  t.equal(plainIfDistinct([]), undefined);
  // Equal bytes in different buffers are equal values; different bytes of the same text length are not.
  const shared = new Uint8Array([104, 105, 104, 105]);
  t.equal(plainIfDistinct([shared.subarray(0, 2), shared.subarray(2, 4)]), undefined);
  t.equal(plainIfDistinct([bytes('é'), new Uint8Array([0xc3, 0xa8])]), 'PLAIN', 'é and è: same length, other bytes');
});

t.test('a Parquet file: snappy compiled once for all its pages; distinct texts PLAIN, repeated ones a dictionary', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sygra-table-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'out.parquet');
  const compiled = { count: 0 };
  // The compiler's types here leave out WebAssembly: the one property used, typed by hand.
  const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
  const Original = wasm.Module;
  // Counts the WebAssembly modules compiled while the file is written.
  wasm.Module = new Proxy(Original, {
    construct(target, args: [Uint8Array]) {
      compiled.count++;
      return new target(...args);
    },
  });
  t.teardown(() => {
    wasm.Module = Original;
  });
  const out = new ParquetOutput(path);
  const langs = ['en', 'de', 'fr'];
  for (let i = 0; i < 3 * GROUP_ROWS; i += 1000)
    await write(
      out,
      Array.from({ length: 1000 }, (_, j) => ({ id: `rec-${i + j}`, lang: langs[(i + j) % 3], reply: `answer number ${i + j} `.repeat(5) })),
    );
  out.end();
  await finished(out);
  wasm.Module = Original;
  t.equal(compiled.count, 1, 'one module for 3 row groups × 3 columns of pages');

  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  t.equal(metadata.row_groups.length, 3);
  const encodings = (column: number): string[] => [...new Set(metadata.row_groups.flatMap((g) => g.columns[column]!.meta_data!.encodings))].sort();
  t.notOk(encodings(0).includes('RLE_DICTIONARY'), `id: distinct, no dictionary (${encodings(0)})`);
  t.ok(encodings(1).includes('RLE_DICTIONARY'), 'lang: three values, a dictionary');
  t.notOk(encodings(2).includes('RLE_DICTIONARY'), `reply: distinct, no dictionary (${encodings(2)})`);
  const back = await parquetReadObjects({ file, rowStart: 29_998, rowEnd: 30_000 });
  t.same(back, [
    { id: 'rec-29998', lang: 'de', reply: 'answer number 29998 '.repeat(5) },
    { id: 'rec-29999', lang: 'fr', reply: 'answer number 29999 '.repeat(5) },
  ]);
});
