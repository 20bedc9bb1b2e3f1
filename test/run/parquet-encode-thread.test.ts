import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t, { type Test } from 'tap';
import type { GroupEncoderFactory } from '../../lib/io/column-shredding.js';
import { GROUP_ROWS, ParquetOutput } from '../../lib/io/table-output.js';
import { parquetEncoderOnThread } from '../../lib/run/parquet-encode-thread.js';

type Row = Record<string, unknown>;

const flatRows = (from: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, text: `reply ${from + i} "é" 🙂 `.repeat(8), n: (from + i) / 3, ok: i % 2 === 0, ...(i % 5 === 0 ? {} : { note: null }) }));

/** Writes the rows in batches of 500 and ends; resolves when the file is done (or rejects with the stream's error). */
async function writeAll(out: ParquetOutput, rows: Row[]): Promise<void> {
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const written = (async () => {
    for (let at = 0; at < rows.length; at += 500) await new Promise<void>((resolve, reject) => out.write(rows.slice(at, at + 500), (err) => (err ? reject(err) : resolve())));
    out.end();
    await finished(out);
  })();
  await Promise.race([written, failed]);
}

/** Counts the encoders the factory starts. */
function counting(): { factory: GroupEncoderFactory; started: number } {
  const counter = {
    started: 0,
    factory: ((file) => {
      counter.started++;
      return parquetEncoderOnThread(file);
    }) as GroupEncoderFactory,
  };
  return counter;
}

/** Writes the rows with an encoder thread and without; both files must be the same bytes, the thread started once. */
async function sameBytesOnThread(t: Test, dir: string, rows: Row[]): Promise<void> {
  const threads = counting();
  await writeAll(new ParquetOutput(join(dir, 'thread.parquet'), null, threads.factory), rows);
  await writeAll(new ParquetOutput(join(dir, 'here.parquet')), rows);
  t.equal(threads.started, 1);
  t.ok(readFileSync(join(dir, 'thread.parquet')).equals(readFileSync(join(dir, 'here.parquet'))), 'byte for byte');
}

t.test('scalar columns past one row group are encoded on a worker thread, into the very bytes this thread writes', async (t) => {
  const dir = t.testdir();
  await sameBytesOnThread(t, dir, flatRows(0, 3 * GROUP_ROWS + 123));
  t.same(readdirSync(dir).sort(), ['here.parquet', 'thread.parquet'], 'no temporary file left');
});

/** SFT and tool-call conversations: lists of structs, with lists and structs inside, nulls, empty lists and absent fields. */
const nestedRows = (from: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const messages: Row[] = [
      { role: 'user', content: `question ${n} "é" 🙂` },
      n % 7 === 0
        ? { role: 'assistant', content: null, tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'lookup', arguments: `{"q":${n}}` } }] }
        : { role: 'assistant', content: `answer ${n} `.repeat(n % 13) },
    ];
    if (n % 11 === 0) messages.push({ role: 'tool', content: `${n}`, tool_calls: [] });
    return { id: n, messages: n % 97 === 0 ? [] : messages, meta: n % 5 === 0 ? null : { score: n / 10, tags: n % 3 === 0 ? ['a', 'b'] : [] } };
  });

t.test('nested columns past one row group are shredded here and encoded on a worker thread, into the very bytes this thread writes', async (t) => {
  await sameBytesOnThread(t, t.testdir(), nestedRows(0, 2 * GROUP_ROWS + 77));
});

t.test('a file of one group is written on this thread', async (t) => {
  const dir = t.testdir();
  const small = counting();
  await writeAll(new ParquetOutput(join(dir, 'small.parquet'), null, small.factory), flatRows(0, GROUP_ROWS - 1));
  t.equal(small.started, 0, 'fewer rows than a group');
});

t.test('a row that does not fit fails the file here, naming the field; nothing is left behind', async (t) => {
  const dir = t.testdir();
  const rows = flatRows(0, GROUP_ROWS + 1000);
  rows[GROUP_ROWS + 600] = { ...rows[GROUP_ROWS + 600], n: 'seven' };
  let aborted = 0;
  const factory: GroupEncoderFactory = (file) => {
    const encoder = parquetEncoderOnThread(file);
    return { ...encoder, abort: () => (aborted++, encoder.abort()) };
  };
  const out = new ParquetOutput(join(dir, 'bad.parquet'), null, factory);
  await t.rejects(writeAll(out, rows), /output field "n" held numbers in the first row group/);
  await new Promise((resolve) => out.once('close', resolve));
  t.equal(aborted, 1, 'the failed stream stopped its thread by itself (a running thread would keep the process alive)');
  await out.abort();
  t.same(readdirSync(dir), [], 'the temporary file removed');
});

t.test("the thread's own failure (its file cannot be made) reaches the writer", async (t) => {
  const dir = t.testdir();
  const out = new ParquetOutput(join(dir, 'gone', 'x.parquet'), null, parquetEncoderOnThread);
  await t.rejects(writeAll(out, flatRows(0, 2 * GROUP_ROWS + 10)), /ENOENT/);
  await out.abort();
  t.notOk(existsSync(join(dir, 'gone')));
});
