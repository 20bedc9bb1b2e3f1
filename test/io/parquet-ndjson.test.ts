import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t, { type Test } from 'tap';
import { parquetRecordBatches } from '../../lib/io/formats.js';
import { parquetNdjson } from '../../lib/io/parquet-ndjson.js';
import { GROUP_ROWS, ParquetOutput } from '../../lib/io/table-output.js';

async function ndjsonOf(t: Test, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of parquetNdjson(path)) {
    t.ok(chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length, 'a chunk has an ArrayBuffer of its own');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the record reader gives, stringified: the NDJSON must be exactly this. */
async function stringifiedRecords(path: string): Promise<string> {
  let text = '';
  for await (const batch of parquetRecordBatches(path)) for (const record of batch) text += `${JSON.stringify(record)}\n`;
  return text;
}

t.test('records we wrote come back as the NDJSON JSON.stringify gives, escapes and all, without decoding text', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sygra-pq-ndjson-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tricky.parquet');
  const texts = [
    'plain',
    'quote " and backslash \\ and slash /',
    'controls \b \f \n \r \t \u0000 \u0001 \u001f and DEL \u007f',
    'é 中文 🙂 and the separators \u2028 \u2029',
    '\uFEFFopens with a byte order mark',
    'a lone surrogate \uD800 here',
    '',
  ];
  const records = texts.map((text, i) => ({
    id: `r${i}`,
    text,
    score: [0, -0, 1.5, 1e21, -3e-7, 42, 7][i],
    ok: i % 2 === 0,
    messages: [
      { role: 'user', content: text },
      { role: 'assistant', content: `re: ${text}` },
    ],
    // Absent from some records, null in others: the file says which.
    ...(i % 3 === 0 ? {} : { note: i % 3 === 1 ? null : `n${i}` }),
    meta: { 'clé "x"': text.length, tags: i === 2 ? [] : ['a', text] },
  }));
  const out = new ParquetOutput(path);
  out.write(records);
  out.end();
  await finished(out);
  const expected = await stringifiedRecords(path);
  t.equal(expected.split('\n').length, records.length + 1);
  t.equal(await ndjsonOf(t, path), expected);
  t.same(
    expected
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).text),
    texts.map((s) => s.replace('\uD800', '\uFFFD')),
    'the texts themselves, a lone surrogate written as U+FFFD',
  );
});

t.test('files from other writers: bytes that are not UTF-8, a byte order mark, binary, dates and big integers, as the record reader gives them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sygra-pq-ndjson-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'other.parquet');
  const { parquetWriteFile } = await import('hyparquet-writer');
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'text', data: [new Uint8Array([0x61, 0xff, 0x62]), new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]), new Uint8Array([0xe2, 0x82]), null], type: 'STRING' },
      { name: 'blob', data: [new Uint8Array([1, 2]), new Uint8Array([0x22]), new Uint8Array([]), null], type: 'BYTE_ARRAY' },
      { name: 'when', data: [new Date(0), new Date(1_700_000_000_123), null, new Date(-1)], type: 'TIMESTAMP' },
      { name: 'count', data: [1n, -(2n ** 40n), null, 0n], type: 'INT64' },
      { name: 'ratio', data: [0.5, null, -0, 1e-7], type: 'DOUBLE' },
    ],
  });
  const expected = await stringifiedRecords(path);
  t.match(expected, /"text":"a\uFFFDb"/, 'invalid bytes: replacement characters, as the decoder makes them');
  t.match(expected, /"text":"\uFEFFhi"/, 'a leading U+FEFF is part of the value, kept');
  t.equal(await ndjsonOf(t, path), expected);
});

t.test('a column that held only nulls in the first row group keeps later values as JSON text, given back as the values', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sygra-pq-ndjson-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'late.parquet');
  const out = new ParquetOutput(path);
  out.write(Array.from({ length: GROUP_ROWS }, (_, i) => ({ id: i, extra: null })));
  out.write([
    { id: -1, extra: { a: [1, 'x "y"'], b: null } },
    { id: -2, extra: 'text' },
  ]);
  out.end();
  await finished(out);
  const ndjson = await ndjsonOf(t, path);
  t.equal(ndjson, await stringifiedRecords(path));
  t.same(ndjson.trim().split('\n').slice(-2), ['{"id":-1,"extra":{"a":[1,"x \\"y\\""],"b":null}}', '{"id":-2,"extra":"text"}']);
});
