import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t, { type Test } from 'tap';
import { parquetRecordBatches } from '../../lib/io/formats.js';
import { ColumnRows } from '../../lib/io/parquet-columns-json.js';
import { parquetNdjson } from '../../lib/io/parquet-ndjson.js';
import { openParquetRead } from '../../lib/io/parquet-read.js';
import { GROUP_ROWS, ParquetOutput } from '../../lib/io/table-output.js';

type Row = Record<string, unknown>;

async function ndjsonOf(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of parquetNdjson(path)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** What the record reader (hyparquet's assembly into objects) gives, stringified: the NDJSON must be exactly this. */
async function stringifiedRecords(path: string): Promise<string> {
  let text = '';
  for await (const batch of parquetRecordBatches(path)) for (const record of batch) text += `${JSON.stringify(record)}\n`;
  return text;
}

/** Whether the file's NDJSON is written from its columns (not from hyparquet's rows). */
async function assembledFromColumns(path: string): Promise<boolean> {
  const { metadata, compressors, trip } = await openParquetRead(path);
  return (await ColumnRows.of(metadata, compressors, trip)) !== null;
}

async function written(t: Test, name: string, rows: Row[]): Promise<string> {
  const path = join(t.testdirName, name);
  const out = new ParquetOutput(path);
  for (let at = 0; at < rows.length; at += 1000) out.write(rows.slice(at, at + 1000));
  out.end();
  await finished(out);
  return path;
}

t.test('files we write: every shape is written from its columns, as the record reader gives it', async (t) => {
  t.testdir();
  const shapes: Array<[string, Row[]]> = [
    [
      'SFT and tool calls, absent and null fields, empty and null lists, null elements',
      Array.from({ length: 300 }, (_, i) => ({
        id: `c${i}`,
        messages:
          i % 29 === 0
            ? []
            : i % 31 === 0
              ? null
              : [
                  { role: 'user', content: `q ${i} "é" \\ \u2028 🙂` },
                  i % 7 === 0
                    ? { role: 'assistant', content: null, tool_calls: [{ id: `t${i}`, function: { name: 'f', arguments: `{"x":${i}}` } }, null] }
                    : { role: 'assistant', content: `a ${i}`, ...(i % 3 === 0 ? { name: 'bot' } : {}) },
                  ...(i % 11 === 0 ? [null] : []),
                ],
        ...(i % 4 === 0 ? {} : { score: i % 4 === 1 ? null : i / 7 }),
        ok: i % 5 === 0 ? null : i % 2 === 0,
      })),
    ],
    [
      'lists of lists, structs of lists, JSON-text columns',
      Array.from({ length: 120 }, (_, i) => ({
        grid: i % 9 === 0 ? null : [[i, i + 0.5], [], i % 4 === 0 ? null : [-i]],
        meta: i % 6 === 0 ? null : { tags: i % 2 ? ['x', `y${i}`] : [], nested: { deep: i % 3 === 0 ? null : [true, false] } },
        mixed: i % 2 === 0 ? `text ${i}` : { n: i },
        late: null,
      })),
    ],
    ['columns named like array indexes: objects put them first', [{ b: 1, 10: 'ten', 2: 'two', a: { 1: 'x', z: 'y', 0: 'w' } }]],
  ];
  for (const [name, rows] of shapes) {
    const path = await written(t, `${name.length}.parquet`, rows);
    t.ok(await assembledFromColumns(path), `${name}: from columns`);
    const expected = await stringifiedRecords(path);
    t.equal(expected.split('\n').length, rows.length + 1, name);
    t.equal(await ndjsonOf(path), expected, name);
  }
});

t.test('row groups of several pages each, and dictionary-encoded text across them', async (t) => {
  t.testdir();
  const rows = Array.from({ length: GROUP_ROWS * 2 + 17 }, (_, i) => ({
    messages: [
      { role: i % 2 ? 'user' : 'assistant', content: `${i} `.repeat(40) },
      { role: 'assistant', content: i % 3 === 0 ? null : `reply ${i}` },
    ],
    n: i,
  }));
  const path = await written(t, 'pages.parquet', rows);
  const { metadata } = await openParquetRead(path);
  t.equal(metadata.row_groups.length, 3);
  const content = metadata.row_groups[0]!.columns[1]!.meta_data!;
  t.ok(Number(content.total_uncompressed_size) > 2 << 20, 'the first group holds more than two pages of text');
  const role = metadata.row_groups[0]!.columns[0]!.meta_data!;
  t.ok(role.encodings.includes('RLE_DICTIONARY'), 'roles are dictionary-encoded');
  t.equal(await ndjsonOf(path), await stringifiedRecords(path));
});

t.test('files DuckDB writes (version 1 pages, required fields, integers and floats): from columns, as the record reader gives them', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'duck.parquet');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`copy (
    select
      i::integer as i32,
      (i * 1000000007)::bigint as i64,
      (i / 8)::float as f32,
      (i / 3)::double as f64,
      i % 2 = 0 as ok,
      case when i % 5 = 0 then null else 'row ' || i || ' "q" é' end as text,
      case when i % 7 = 0 then null else [{'role': 'user', 'content': 'q' || i}, {'role': 'assistant', 'content': case when i % 3 = 0 then null else 'a' || i end}] end as messages,
      case when i % 4 = 0 then [] else [[i, i + 1], [], null] end as grid,
      {'a': i, 'b': case when i % 2 = 0 then null else [true] end} as s
    from range(0, 3000) t(i)
  ) to '${path}' (format parquet, row_group_size 1000)`);
  connection.closeSync();
  t.ok(await assembledFromColumns(path));
  const expected = await stringifiedRecords(path);
  t.equal(expected.split('\n').length, 3001);
  t.equal(await ndjsonOf(path), expected);
});

t.test('types the column path does not handle leave the file to hyparquet: timestamps, maps', async (t) => {
  const dir = t.testdir();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const paths = { when: join(dir, 'when.parquet'), map: join(dir, 'map.parquet') };
  await connection.run(`copy (select i, timestamp '2024-01-01' + to_seconds(i) as at from range(0, 5) t(i)) to '${paths.when}' (format parquet)`);
  await connection.run(`copy (select i, map(['k' || i], [i]) as m from range(0, 5) t(i)) to '${paths.map}' (format parquet)`);
  connection.closeSync();
  for (const path of Object.values(paths)) {
    t.notOk(await assembledFromColumns(path), path);
    t.equal(await ndjsonOf(path), await stringifiedRecords(path), 'read as before');
  }
});

t.test('a row group whose levels disagree with its row count is refused, naming the column', async (t) => {
  t.testdir();
  const path = await written(t, 'rows.parquet', [{ messages: [{ role: 'user', content: 'a' }] }, { messages: [] }, { messages: null }]);
  const { file, metadata, compressors, trip } = await openParquetRead(path);
  const columns = (await ColumnRows.of(metadata, compressors, trip))!;
  for (const rows of [2n, 4n]) {
    metadata.row_groups[0]!.num_rows = rows;
    await t.rejects(columns.load(file, metadata, 0), { message: `column messages.list.element.role holds 3 rows where the row group says ${rows}` });
  }
  metadata.row_groups[0]!.num_rows = 3n;
  const group = await columns.load(file, metadata, 0);
  const lines: string[] = [];
  const sink = { text: '' };
  const out = {
    utf8: (b: Uint8Array) => (sink.text += JSON.stringify(Buffer.from(b).toString())),
    text: (s: string) => (sink.text += s),
    raw: (b: Uint8Array) => (sink.text += Buffer.from(b).toString()),
    byte: (b: number) => (sink.text += String.fromCharCode(b)),
  };
  for (let r = 0; r < group.rows; r++) group.row(out);
  lines.push(...sink.text.trim().split('\n'));
  t.same(lines, ['{"messages":[{"role":"user","content":"a"}]}', '{"messages":[]}', '{"messages":null}']);
  t.equal(group.leftOver(), null, 'every level and value taken');
});

t.test('required fields (no definition level of their own): lists, their elements, structs and integers', async (t) => {
  const path = join(t.testdir(), 'required.parquet');
  const { parquetWriteFile } = await import('hyparquet-writer');
  parquetWriteFile({
    filename: path,
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'tags', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 's', repetition_type: 'REQUIRED', num_children: 2 },
      { name: 'a', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'b', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
    ],
    columnData: [
      { name: 'id', data: [1n, 2n, 3n] },
      { name: 'tags', data: [['x', 'y'], [], ['z']] },
      {
        name: 's',
        data: [
          { a: 1.5, b: true },
          { a: -2, b: null },
          { a: 0, b: false },
        ],
      },
    ],
  });
  t.ok(await assembledFromColumns(path));
  const expected = await stringifiedRecords(path);
  t.equal(expected, '{"id":1,"tags":["x","y"],"s":{"a":1.5,"b":true}}\n{"id":2,"tags":[],"s":{"a":-2,"b":null}}\n{"id":3,"tags":["z"],"s":{"a":0,"b":false}}\n');
  t.equal(await ndjsonOf(path), expected);
});
