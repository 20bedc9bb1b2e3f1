import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FIXTURES, ROOT, runCli } from '../cli-process.js';
import { PARQUET_THREAD_MIN_BYTES } from '../../lib/run/parquet-thread.js';

/** Column types and the huggingface metadata of a Parquet file, as DuckDB (a second, independent reader) sees them. */
async function duckdb(path: string): Promise<{ types: Record<string, string>; huggingface: { info: { features: Record<string, unknown> } } }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const described = await connection.runAndReadAll(`select column_name, column_type from (describe select * from read_parquet('${path}'))`);
  const kv = await connection.runAndReadAll(`select decode(value) from parquet_kv_metadata('${path}') where decode(key) = 'huggingface'`);
  connection.closeSync();
  return {
    types: Object.fromEntries(described.getRows().map(([name, type]) => [String(name), String(type)])),
    huggingface: JSON.parse(String(kv.getRows()[0]![0])) as { info: { features: Record<string, unknown> } },
  };
}

const KEEP = 'nodes:\n  keep: { type: filter, when: "true" }\n';

async function roundTrip(t: Test, graph: string, input: string, extra: string[] = []): Promise<{ dir: string; ndjson: string }> {
  const dir = t.testdir({ 'keep.yaml': KEEP });
  const direct = await runCli(['run', graph, '-i', input, '-q', ...extra], { cwd: dir });
  t.equal(direct.code, 0, direct.stderr);
  const written = await runCli(['run', graph, '-i', input, '-q', '-o', 'out.parquet', ...extra], { cwd: dir });
  t.equal(written.code, 0, written.stderr);
  const back = await runCli(['run', 'keep.yaml', '-i', 'out.parquet', '-q'], { cwd: dir });
  t.equal(back.code, 0, back.stderr);
  t.equal(back.stdout, direct.stdout, 'read back, byte for byte the NDJSON of the same run');
  return { dir, ndjson: direct.stdout };
}

t.test('SFT with tool calls: messages is a list of structs for DuckDB, and the datasets features say so', async (t) => {
  const { dir, ndjson } = await roundTrip(t, join(FIXTURES, 'graphs', 'tool-use.yaml'), join(FIXTURES, 'graphs', 'tool-use.input.jsonl'));
  t.match(ndjson, /"tool_calls":\[\{"id":"call_/, 'the input has tool calls');
  const { types, huggingface } = await duckdb(join(dir, 'out.parquet'));
  t.equal(types.messages, 'STRUCT("role" VARCHAR, "content" VARCHAR, tool_calls STRUCT(id VARCHAR, "type" VARCHAR, "function" STRUCT("name" VARCHAR, arguments VARCHAR))[], tool_call_id VARCHAR)[]');
  t.equal(types.id, 'VARCHAR');
  const string = { dtype: 'string', _type: 'Value' };
  t.same((huggingface.info.features.messages as unknown[])[0], {
    role: string,
    content: string,
    tool_calls: [{ id: string, type: string, function: { name: string, arguments: string } }],
    tool_call_id: string,
  });
});

t.test('DPO: prompt, chosen and rejected are lists of {role, content}', async (t) => {
  const { dir } = await roundTrip(t, join(FIXTURES, 'graphs', 'dpo-from-generations.yaml'), join(FIXTURES, 'graphs', 'dpo-from-generations.input.jsonl'), ['--seed', '7']);
  const { types } = await duckdb(join(dir, 'out.parquet'));
  for (const column of ['prompt', 'chosen', 'rejected']) t.equal(types[column], 'STRUCT("role" VARCHAR, "content" VARCHAR)[]', column);
  t.match(types.meta, /^STRUCT\(preference STRUCT\(winner VARCHAR, confidence DOUBLE/);
});

const OASST = join(ROOT, '..', 'shared', 'data', 'oasst2', 'trees.jsonl');

t.test('the shared OASST2 sample curated to SFT: read back the same, every record', { skip: existsSync(OASST) ? false : `no data at ${OASST}` }, async (t) => {
  const { dir } = await roundTrip(t, join(FIXTURES, 'graphs', 'oasst-curation.yaml'), OASST, ['--no-cache']);
  const { types } = await duckdb(join(dir, 'out.parquet'));
  t.equal(types.messages, 'STRUCT("role" VARCHAR, "content" VARCHAR)[]');
  t.match(types.meta, /quality STRUCT\(rules STRUCT\(/);
});

t.test('a Parquet file large enough to be decoded on a worker thread reads back the same, alone and as a dataset folder', async (t) => {
  const dir = t.testdir({ 'keep.yaml': KEEP, folder: { data: {} } });
  // Random hex barely compresses: 20,000 records make a file past the threshold.
  const input = Array.from({ length: 20_000 }, (_, i) => `${JSON.stringify({ id: `r${i}`, text: `"${randomBytes(450).toString('hex')}" é 🙂\n`, n: i / 7 })}\n`).join('');
  await writeFile(join(dir, 'in.jsonl'), input);
  const written = await runCli(['run', 'keep.yaml', '-i', 'in.jsonl', '-o', 'out.parquet', '-q'], { cwd: dir });
  t.equal(written.code, 0, written.stderr);
  t.ok(statSync(join(dir, 'out.parquet')).size >= PARQUET_THREAD_MIN_BYTES, 'past the threshold');
  const back = await runCli(['run', 'keep.yaml', '-i', 'out.parquet', '-q'], { cwd: dir });
  t.equal(back.code, 0, back.stderr);
  t.ok(back.stdout === input, 'byte for byte the NDJSON it was written from');
  await copyFile(join(dir, 'out.parquet'), join(dir, 'folder', 'data', 'train-00000-of-00001.parquet'));
  await writeFile(join(dir, 'folder', 'data', 'train-00001-of-00001.jsonl'), '{"id":"last"}\n');
  const folder = await runCli(['run', 'keep.yaml', '-i', 'folder', '-q', '--errors', 'errors.jsonl'], { cwd: dir });
  t.equal(folder.code, 0, folder.stderr);
  t.ok(folder.stdout === `${input}{"id":"last"}\n`, 'as a dataset folder: the same, then the next shard');
});

t.test('a damaged or cut Parquet file fails the run with a line naming the file (and the row group), exit 1', async (t) => {
  const dir = t.testdir({ 'keep.yaml': KEEP });
  const written = await runCli(['run', join(FIXTURES, 'graphs', 'tool-use.yaml'), '-i', join(FIXTURES, 'graphs', 'tool-use.input.jsonl'), '-q', '-o', 'good.parquet'], { cwd: dir });
  t.equal(written.code, 0, written.stderr);
  const good = readFileSync(join(dir, 'good.parquet'));
  // The first page's header overwritten, just after the file's opening magic bytes.
  const damaged = Buffer.from(good);
  damaged.fill(0xff, 4, 24);
  writeFileSync(join(dir, 'damaged.parquet'), damaged);
  writeFileSync(join(dir, 'cut.parquet'), good.subarray(0, good.length >> 1));
  for (const [name, where] of [
    ['damaged.parquet', / \(row group 1 of 1\): /],
    ['cut.parquet', /: not a readable Parquet file: /],
  ] as const) {
    const run = await runCli(['run', 'keep.yaml', '-i', name, '-q'], { cwd: dir });
    t.equal(run.code, 1, name);
    const lines = run.stderr.trim().split('\n');
    t.equal(lines.length, 2, `the error, then the run's summary: ${run.stderr}`);
    t.match(lines[1], /^sygra-stream: 0 in, 0 out, 0 filtered, 0 errors in /);
    t.match(lines[0], new RegExp(`^sygra-stream: ${name.replace('.', '\\.')}: not a readable Parquet file`));
    t.match(lines[0], where);
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
    t.equal(run.stdout, '');
  }
});
