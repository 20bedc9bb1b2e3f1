// npm run bench:llm — an llm node against mock-server (50 ms latency), compared with
// Little's law (at most C/L requests per second with C in flight and latency L) and with a
// bare undici loop and a Python aiohttp loop measured in the same run. Then a warm disk
// cache, then repeated prompts.
// Options: --records N (default 20000), --latency-ms L (default 50).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { arg, measure, printTable, publish, benchCli } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();

const records = arg('records', 20_000);
const latency = arg('latency-ms', 50);
const dataDir = join(root, 'bench-data', 'llm');
await rm(dataDir, { recursive: true, force: true });
await mkdir(dataDir, { recursive: true });

const server = spawn(process.execPath, [cli, 'mock-server', '--latency-ms', String(latency)], { stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise<string>((resolve) => {
  server.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.split('\n')[0]!));
});
const serverStats = async (): Promise<{ chat_requests: number; max_in_flight: number }> =>
  (await (await request(url.replace(/\/v1$/, '/stats'))).body.json()) as { chat_requests: number; max_in_flight: number };

async function writeInput(name: string, distinct: number): Promise<string> {
  const path = join(dataDir, name);
  let text = '';
  for (let i = 0; i < records; i++) text += JSON.stringify({ id: i, question: `Benchmark question number ${i % distinct}: explain topic ${(i % distinct) * 7}.` }) + '\n';
  await writeFile(path, text);
  return path;
}

async function writeGraph(concurrency: number): Promise<string> {
  const path = join(dataDir, `llm-c${concurrency}.yaml`);
  await writeFile(
    path,
    [
      'models:',
      `  bench: { base_url: ${url}, model: mock-1, concurrency: ${concurrency} }`,
      'nodes:',
      '  answer:',
      '    type: llm',
      '    messages: [ { role: user, content: "{question}" } ]',
      '    output: answer',
      '',
    ].join('\n'),
  );
  return path;
}

async function bareLoop(input: string, concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(here, 'bare-llm-loop.js'), input, url, String(concurrency)], { stdio: ['ignore', 'ignore', 'inherit'] });
  await once(child, 'exit');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** A Python with aiohttp (Debian: python3-aiohttp), for the peer loop; null when there is none. */
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import aiohttp']).status === 0) ?? null;
if (!python) console.error('(no Python with aiohttp: the aiohttp columns are left empty; apt-get install python3-aiohttp)');

async function aiohttpLoop(input: string, concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(python!, [join(here, '..', '..', 'benchmarks', 'aiohttp-loop.py'), input, url, String(concurrency)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`aiohttp-loop.py exited ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const distinctInput = await writeInput('distinct.jsonl', records);
const rows: Array<Array<string | number>> = [];
for (const c of [64, 256]) {
  const bound = c / (latency / 1000);
  const bareSeconds = await bareLoop(distinctInput, c);
  const aiohttpSeconds = python ? await aiohttpLoop(distinctInput, c) : null;
  const graph = await writeGraph(c);
  const before = await serverStats();
  const m = await measure([process.execPath, cli, 'run', graph, '--no-cache', '-q'], distinctInput);
  const after = await serverStats();
  const rate = records / m.seconds;
  rows.push([
    `C=${c}`,
    Math.round(records / bareSeconds),
    Math.round(rate),
    bound,
    rate / bound,
    records / bareSeconds / bound,
    bareSeconds / m.seconds,
    aiohttpSeconds === null ? '' : Math.round(records / aiohttpSeconds),
    aiohttpSeconds === null ? '' : aiohttpSeconds / m.seconds,
    m.peakRssMb,
    after.chat_requests - before.chat_requests,
    after.max_in_flight,
  ]);
}
console.log(`\nllm benchmark: ${records.toLocaleString('en-US')} distinct prompts, mock-server latency ${latency} ms\n`);
const header = ['run', 'bare rec/s', 'sygra rec/s', 'C/L', 'sygra ÷ C/L', 'bare ÷ C/L', 'sygra ÷ bare', 'aiohttp rec/s', 'sygra ÷ aiohttp', 'peak RSS MB', 'requests', 'server max in flight'];
printTable(header, rows);
publish('llm', 'npm run bench:llm', header, rows);

// Warm disk cache: a first run fills it, the second must make no request.
const graph = await writeGraph(256);
const cacheDir = join(dataDir, 'cache');
await measure([process.execPath, cli, 'run', graph, '--cache-dir', cacheDir, '-q'], distinctInput);
const beforeWarm = await serverStats();
// Best of three, as short runs on a shared machine vary by tens of milliseconds.
const bestOf3 = async (argv: string[], input: string) => {
  const runs = [await measure(argv, input), await measure(argv, input), await measure(argv, input)];
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
};
const warm = await bestOf3([process.execPath, cli, 'run', graph, '--cache-dir', cacheDir, '-q', '--no-preflight'], distinctInput);
const afterWarm = await serverStats();
// Startup (loading, opening the cache) measured alone on one record, to separate it out.
const oneRecord = join(dataDir, 'one.jsonl');
await writeFile(oneRecord, (await readFile(distinctInput, 'utf8')).split('\n')[0] + '\n');
const startup = await bestOf3([process.execPath, cli, 'run', graph, '--cache-dir', cacheDir, '-q', '--no-preflight'], oneRecord);

// Repeated prompts: 200 distinct among all records must cost exactly 200 requests.
const repeated = await writeInput('repeated.jsonl', 200);
const beforeRep = await serverStats();
const rep = await measure([process.execPath, cli, 'run', graph, '--cache-dir', join(dataDir, 'cache-rep'), '-q', '--no-preflight'], repeated);
const afterRep = await serverStats();
console.log('');
const cacheHeader = ['run', 'records/s', 'after startup', 'HTTP requests', 'peak RSS MB'];
const cacheRows = [
  ['warm disk cache', Math.round(records / warm.seconds), Math.round(records / (warm.seconds - startup.seconds)), afterWarm.chat_requests - beforeWarm.chat_requests, warm.peakRssMb],
  ['200 distinct prompts repeated', Math.round(records / rep.seconds), Math.round(records / (rep.seconds - startup.seconds)), afterRep.chat_requests - beforeRep.chat_requests, rep.peakRssMb],
  ['startup: one record, warm cache (ms)', '', '', '', Math.round(startup.seconds * 1000)],
];
printTable(cacheHeader, cacheRows.slice(0, 2));
publish('llm-cache', 'npm run bench:llm', cacheHeader, cacheRows.slice(0, 2));
console.log(`\nwarm runs and startup: best of 3. Startup (one record, warm cache): ${(startup.seconds * 1000).toFixed(0)} ms; "after startup" divides by the run's time less that.`);
server.kill('SIGTERM');
