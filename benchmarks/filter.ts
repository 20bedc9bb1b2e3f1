// npm run bench:filter — the streaming core against jq, gojq, Miller, DuckDB and a raw Node
// loop, in one run (peers that are not installed are left out).
// Options: --records N (default 200000), --big N (default 2000000; 0 skips), --runs K (best of K, default 3).
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, fileMb, measure, median, printTable, publish, type Measurement, benchCli } from './harness.js';
import { writeChatRecords } from './records.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const graph = join(root, 'benchmarks', 'graphs', 'filter.yaml');
const graphWithMap = join(root, 'benchmarks', 'graphs', 'filter-map.yaml');
const floor = join(here, 'raw-floor.js');

async function best(argv: string[], input: string, runs: number): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(argv, input);
    if (m.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${m.exitCode}`);
    all.push(m);
  }
  const fastest = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, peakRssMb: Math.max(...all.map((m) => m.peakRssMb)) };
}

const records = arg('records', 200_000);
const big = arg('big', 2_000_000);
const runs = arg('runs', 3);
const dataDir = join(root, 'bench-data');
await mkdir(dataDir, { recursive: true });
const input = join(dataDir, `chat-${records}.jsonl`);
await writeChatRecords(input, records);
const mb = await fileMb(input);
const has = (command: string, flag = '--version'): boolean => spawnSync(command, [flag]).status === 0;
const hasJq = has('jq');

// The peers a user would reach for instead, those installed (Debian: jq, gojq, miller; DuckDB from npm).
const results: Array<[string, Measurement]> = [];
if (hasJq) results.push(['jq', await best(['jq', '-c', 'select(.prompt|length > 100)'], input, runs)]);
if (has('gojq')) results.push(['gojq', await best(['gojq', '-c', 'select(.prompt|length > 100)'], input, runs)]);
if (has('mlr')) results.push(['Miller', await best(['mlr', '--ijsonl', '--ojsonl', 'filter', 'strlen($prompt) > 100'], input, runs)]);
results.push(['DuckDB (Node package)', await best([process.execPath, join(here, 'duckdb-filter.js'), input], input, runs)]);
const missing = ['jq', 'gojq', 'mlr'].filter((c) => !has(c));
if (missing.length > 0) console.error(`(not installed, left out: ${missing.join(', ')})`);
results.push(['raw node loop', await best([process.execPath, floor], input, runs)]);
results.push(['sygra-stream', await best([process.execPath, cli, 'run', graph], input, runs)]);
results.push(['sygra-stream + map', await best([process.execPath, cli, 'run', graphWithMap], input, runs)]);

const jq = results.find(([n]) => n === 'jq')?.[1];
const raw = results.find(([n]) => n === 'raw node loop')![1];
console.log(`\nfilter benchmark: ${records.toLocaleString('en-US')} records, ${mb.toFixed(1)} MB, best of ${runs}`);
console.log('(sygra-stream writes unchanged records back as read; "+ map" sets one new field on every kept record, written as the line read with that field appended)\n');
const header = ['command', 'records/s', 'MB/s', 'x jq', 'x floor', 'peak RSS MB'];
const rows = results.map(([name, m]) => [name, records / m.seconds, mb / m.seconds, jq ? jq.seconds / m.seconds : 'n/a', raw.seconds / m.seconds, m.peakRssMb]);
printTable(header, rows);
publish('filter', 'npm run bench:filter', header, rows);

// Startup: what a short job pays. One record against `node -e 0` (Node's own start), and
// 10,000 records against the floor loop doing them; medians of 11, alternating. The CLI's
// compile cache is warmed first, as every start after a user's first is; the cold start
// (NODE_DISABLE_COMPILE_CACHE=1) is shown beside it.
{
  const small = join(dataDir, 'chat-10000.jsonl');
  await writeChatRecords(small, 10_000);
  const one = join(dataDir, 'chat-1.jsonl');
  await writeChatRecords(one, 1);
  const runs = 11;
  const cold = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  const cases: Array<{ name: string; argv: string[]; input: string; env?: NodeJS.ProcessEnv }> = [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], input: one },
    { name: 'sygra-stream, 1 record', argv: [process.execPath, cli, 'run', graph], input: one },
    { name: 'sygra-stream, 1 record, no compile cache', argv: [process.execPath, cli, 'run', graph], input: one, env: cold },
    { name: 'raw node loop, 10,000 records', argv: [process.execPath, floor], input: small },
    { name: 'sygra-stream, 10,000 records', argv: [process.execPath, cli, 'run', graph], input: small },
  ];
  await measure([process.execPath, cli, 'run', graph], one);
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of cases.entries()) {
      const m = await measure(c.argv, c.input, '/dev/null', c.env);
      if (m.exitCode !== 0) throw new Error(`${c.argv.join(' ')} exited ${m.exitCode}`);
      times[k]!.push(m.seconds);
    }
  }
  const ms = times.map((t) => median(t) * 1000);
  const [node0, one1, oneCold, floor10k, ours10k] = ms as [number, number, number, number, number];
  const header = ['run', 'ms (median of 11)', 'ratio', 'against'];
  const rows = [
    ['node -e 0', node0, 1, ''],
    ['sygra-stream, 1 record', one1, one1 / node0, 'node -e 0'],
    ['sygra-stream, 1 record, no compile cache', oneCold, oneCold / node0, 'node -e 0'],
    ['raw node loop, 10,000 records', floor10k, 1, ''],
    ['sygra-stream, 10,000 records', ours10k, ours10k / floor10k, 'raw node loop'],
  ];
  console.log('\nstartup: medians of 11, alternating (ratio: time ÷ the run it is against)\n');
  printTable(header, rows);
  publish('filter-startup', 'npm run bench:filter', header, rows);
}

if (big > 0) {
  const bigInput = join(dataDir, `chat-${big}.jsonl`);
  await writeChatRecords(bigInput, big, 2);
  const m = await measure([process.execPath, cli, 'run', graph], bigInput);
  const bigMb = await fileMb(bigInput);
  console.log(
    `\nmemory at scale: ${big.toLocaleString('en-US')} records (${bigMb.toFixed(0)} MB): ` + `${Math.round(big / m.seconds).toLocaleString('en-US')} records/s, peak RSS ${m.peakRssMb.toFixed(1)} MB`,
  );
  publish('filter-scale', 'npm run bench:filter', ['records', 'MB', 'records/s', 'peak RSS MB'], [[big, Math.round(bigMb), Math.round(big / m.seconds), m.peakRssMb]]);
}
