// npm run bench:formats — Parquet and dataset folders against NDJSON on the same records, in
// one run: the time to write each from NDJSON and to read each back into NDJSON, as a
// ratio of NDJSON's own pass (above 0.5 is the goal: at most twice NDJSON's time), and the
// peak RSS at 200,000 and 1,000,000 records (flat: memory must not grow with the records).
// Then the same for 200,000 SFT conversations (`messages`, a list of structs), Parquet only.
// Options: --records N (the larger size, default 1000000), --runs K (best of K, default 3).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, fileMb, measure, printTable, publish, type Measurement, benchCli } from './harness.js';
import { writeChatRecords, writeSftRecords } from './records.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const large = arg('records', 1_000_000);
const runs = arg('runs', 3);
const dataDir = join(root, 'bench-data');
const work = join(dataDir, 'formats');
await mkdir(work, { recursive: true });
const keep = join(work, 'keep.yaml');
await writeFile(keep, 'nodes:\n  keep: { type: filter, when: "true" }\n');

async function best(argv: string[], input: string, output = '/dev/null'): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(argv, input, output);
    if (m.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${m.exitCode}`);
    all.push(m);
  }
  const fastest = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, peakRssMb: Math.max(...all.map((m) => m.peakRssMb)) };
}

const run = (...args: string[]) => [process.execPath, cli, 'run', keep, '-q', ...args];
const rows: Array<Array<string | number>> = [];
for (const records of [200_000, large]) {
  const input = join(dataDir, `chat-${records}.jsonl`);
  await writeChatRecords(input, records);
  const mb = await fileMb(input);
  const parquet = join(work, `chat-${records}.parquet`);
  const folder = join(work, `chat-${records}-folder`);
  await rm(folder, { recursive: true, force: true });
  // NDJSON's own pass: read, keep every record, write.
  const ndjson = await best(run(), input);
  const write = await best(run('-o', parquet), input);
  const read = await best(run('-i', parquet), '/dev/null');
  const shards = await best(run('-o', `${folder}/`, '--shard-size', '250000'), input);
  const readShards = await best(run('-i', folder), '/dev/null');
  const label = `${records.toLocaleString('en-US')} records (${Math.round(mb)} MB)`;
  for (const [what, m] of [
    ['NDJSON in, NDJSON out (the baseline)', ndjson],
    ['NDJSON in, Parquet out', write],
    ['Parquet in, NDJSON out', read],
    ['NDJSON in, dataset folder out (Parquet shards, card)', shards],
    ['dataset folder in, NDJSON out', readShards],
  ] as const) {
    rows.push([label, what, m.seconds, ndjson.seconds / m.seconds, Math.round(m.peakRssMb)]);
  }
}
// SFT conversations: `messages` is a list of {role, content} structs in Parquet.
{
  const records = 200_000;
  const input = join(dataDir, `sft-${records}.jsonl`);
  await writeSftRecords(input, records);
  const mb = await fileMb(input);
  const parquet = join(work, `sft-${records}.parquet`);
  const ndjson = await best(run(), input);
  const write = await best(run('-o', parquet), input);
  const read = await best(run('-i', parquet), '/dev/null');
  const label = `${records.toLocaleString('en-US')} SFT conversations, messages (${Math.round(mb)} MB)`;
  for (const [what, m] of [
    ['NDJSON in, NDJSON out (the baseline)', ndjson],
    ['NDJSON in, Parquet out', write],
    ['Parquet in, NDJSON out', read],
  ] as const) {
    rows.push([label, what, m.seconds, ndjson.seconds / m.seconds, Math.round(m.peakRssMb)]);
  }
}
console.log('\nformats benchmark: the same chat records as NDJSON, Parquet and a dataset folder\n');
const header = ['records', 'run', 'seconds', 'speed ÷ NDJSON', 'peak RSS MB'];
printTable(header, rows);
publish('formats', 'npm run bench:formats', header, rows);
