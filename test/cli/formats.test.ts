import t from 'tap';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, lines, ndjson, runCli } from '../cli-process.js';

const graph = 'nodes:\n  m: { type: map, set: { len: "record.question.length" } }\n';

t.test('CSV and TSV in: rows become records keyed by the header, values as text', async (t) => {
  const dir = t.testdir({
    'g.yaml': graph,
    'in.csv': '\ufeffid,question,tags\n1,"What is 2+2, really?","[""a""]"\n2,"Line one\nline two",\n',
    'in.tsv': 'id\tquestion\n7\tTabs?\n',
  });
  const csv = await runCli(['run', 'g.yaml', '-i', 'in.csv'], { cwd: dir });
  t.equal(csv.code, 0, csv.stderr);
  t.same(lines(csv.stdout), [
    { id: '1', question: 'What is 2+2, really?', tags: '["a"]', len: 20 },
    { id: '2', question: 'Line one\nline two', tags: '', len: 17 },
  ]);
  const tsv = await runCli(['run', 'g.yaml', '-i', 'in.tsv'], { cwd: dir });
  t.same(lines(tsv.stdout), [{ id: '7', question: 'Tabs?', len: 5 }]);
  const forced = await runCli(['run', 'g.yaml', '--input-format', 'tsv'], { cwd: dir, input: 'question\nfrom stdin\n' });
  t.same(lines(forced.stdout), [{ question: 'from stdin', len: 10 }], '--input-format applies to stdin too');
});

t.test('a JSON array streams in element by element; a file that is not an array is a clear error', async (t) => {
  const dir = t.testdir({
    'g.yaml': graph,
    'in.json': '[\n  {"question": "a [bracket] and a, comma", "nested": {"x": [1, 2]}},\n  {"question": "quote \\" and brace }"}\n]\n',
    'bad.json': '{"question": "not an array"}',
  });
  const res = await runCli(['run', 'g.yaml', '-i', 'in.json', '--errors', 'err.jsonl'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  t.same(lines(res.stdout), [
    { question: 'a [bracket] and a, comma', nested: { x: [1, 2] }, len: 24 },
    { question: 'quote " and brace }', len: 19 },
  ]);
  const bad = await runCli(['run', 'g.yaml', '-i', 'bad.json'], { cwd: dir });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /input is not a JSON array \(it should start with "\["\)/);
});

t.test('.gz and .zst inputs are decompressed on the fly', async (t) => {
  const dir = t.testdir({ 'g.yaml': graph, 'in.jsonl.gz': gzipSync(ndjson([{ question: 'gz?' }])), 'in.csv.gz': gzipSync('question\ncsv in gzip\n') });
  t.same(lines((await runCli(['run', 'g.yaml', '-i', 'in.jsonl.gz'], { cwd: dir })).stdout), [{ question: 'gz?', len: 3 }]);
  t.same(lines((await runCli(['run', 'g.yaml', '-i', 'in.csv.gz'], { cwd: dir })).stdout), [{ question: 'csv in gzip', len: 11 }]);
  const zst = await runCli(['run', join(dir, 'g.yaml'), '-i', join(FIXTURES, 'formats', 'questions.jsonl.zst')]);
  t.same(lines(zst.stdout), [
    { id: 1, question: 'What is zstd?', len: 13 },
    { id: 2, question: 'Why compress?', len: 13 },
  ]);
});

t.test('CSV/TSV out: a header, nested values as JSON; a field the first records lacked fails loudly', async (t) => {
  const dir = t.testdir({ 'g.yaml': graph });
  const input = ndjson([{ question: 'a, b', meta: { k: [1] } }, { question: 'c' }]);
  const res = await runCli(['run', 'g.yaml', '-o', 'out.csv'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  t.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'question,meta,len\n"a, b","{""k"":[1]}",4\nc,,1\n');
  const late = ndjson([...Array.from({ length: 10_000 }, () => ({ question: 'q' })), { question: 'q', extra: 1 }]);
  const fail = await runCli(['run', 'g.yaml', '-o', 'late.tsv'], { cwd: dir, input: late });
  t.equal(fail.code, 1);
  t.match(fail.stderr, /output record 10001 has a field "extra" that the first 10000 records did not have/);
  const resume = await runCli(['run', 'g.yaml', '-o', 'x.csv', '--resume'], { cwd: dir, input });
  t.equal(resume.code, 2);
  t.match(resume.stderr, /--resume appends to NDJSON output; csv is written whole/);
});

t.test('Parquet out and back in: the same records, typed columns, objects as structs', async (t) => {
  const dir = t.testdir({ 'g.yaml': graph });
  const records = Array.from({ length: 25_000 }, (_, i) => ({ id: i, question: `question ${i}`, ok: i % 2 === 0, meta: i % 3 ? null : { i } }));
  const res = await runCli(['run', 'g.yaml', '-o', 'out.parquet'], { cwd: dir, input: ndjson(records) });
  t.equal(res.code, 0, res.stderr);
  const back = await runCli(['run', 'g.yaml', '-i', 'out.parquet'], { cwd: dir });
  t.equal(back.code, 0, back.stderr);
  const rows = lines(back.stdout);
  t.equal(rows.length, 25_000);
  t.same(rows[3], { id: 3, question: 'question 3', ok: false, meta: { i: 3 }, len: 10 }, 'an object comes back as the object');
  t.equal(back.stdout, ndjson(records.map((r) => ({ ...r, len: r.question.length }))), 'byte for byte what was written');
  t.same(rows[24_998], { id: 24_998, question: 'question 24998', ok: true, meta: null, len: 14 });
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(dir, 'out.parquet')));
  t.equal(meta.row_groups.length, 3, 'written a row group at a time (10,000 rows each)');
  t.same(
    meta.schema.slice(1).map((c) => [c.name, c.type]),
    [
      ['id', 'DOUBLE'],
      ['question', 'BYTE_ARRAY'],
      ['ok', 'BOOLEAN'],
      ['meta', undefined],
      ['i', 'DOUBLE'],
      ['len', 'DOUBLE'],
    ],
  );
});

t.test('a regular file on stdin, or --input, is read 256 KiB at a time; a pipe is read as it comes', async (t) => {
  const { openInput } = await import('../../lib/io/formats.js');
  const { PassThrough } = await import('node:stream');
  const { openSync, closeSync, writeFileSync } = await import('node:fs');
  const dir = t.testdir({});
  const file = join(dir, 'in.jsonl');
  const body = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(40) })).join('\n') + '\n';
  writeFileSync(file, body);

  const read = async (stream: NodeJS.ReadableStream): Promise<Buffer[]> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return chunks;
  };
  const fd = openSync(file, 'r');
  try {
    const stdin = Object.assign(new PassThrough(), { fd });
    const input = await openInput(undefined, 'jsonl', stdin);
    t.not(input, stdin, 'a regular file on stdin gets a stream of its own');
    const chunks = await read(input);
    t.equal(Buffer.concat(chunks).toString(), body, 'every byte, in order');
    t.equal(chunks[0]!.length, 256 * 1024, 'in pieces of 256 KiB');
  } finally {
    closeSync(fd);
  }
  const viaPath = await read(await openInput(file, 'jsonl', new PassThrough()));
  t.equal(viaPath[0]!.length, 256 * 1024, '--input FILE too');

  const pipe = new PassThrough();
  t.equal(await openInput(undefined, 'jsonl', pipe), pipe, 'a stream without a file behind it is read as it is');
});
