import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FIXTURES, ROOT, runCli } from '../cli-process.js';

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
