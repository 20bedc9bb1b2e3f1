// npm run bench:scale — an LLM-bound graph through Redis workers against mock-server
// (50 ms latency): 1, 2 and 4 workers, records/s against the Little's-law bound
// workers × C / L. Needs redis-server (apt-get install redis-server).
// Options: --records N (default 8000), --concurrency C per worker (default 64), --latency-ms L (default 50),
// --batch and --prefetch for the workers (default 64 and 4, the worker's own defaults).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveRedis, startRedis } from '../test/redis-server-process.js';
import { startMockServer } from '../test/mock-server-process.js';
import { arg, printTable, publish, benchCli } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();

const records = arg('records', 8000);
const concurrency = arg('concurrency', 64);
const latency = arg('latency-ms', 50);
const batch = arg('batch', 64);
const prefetch = arg('prefetch', 4);

if (!haveRedis) {
  console.log('bench:scale needs redis-server (apt-get install redis-server)');
  process.exit(0);
}
const dir = join(root, 'bench-data', 'scale');
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const redis = await startRedis();
const server = await startMockServer(['--latency-ms', String(latency)]);
const graph = join(dir, 'llm.yaml');
await writeFile(
  graph,
  `models:\n  m: { base_url: ${server.url}, concurrency: ${concurrency} }\nnodes:\n  answer:\n    type: llm\n    messages: [ { role: user, content: "{q}" } ]\n    output: answer\n`,
);

async function cliRun(args: string[], input?: string): Promise<number> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: [input ? 'pipe' : 'ignore', 'ignore', 'inherit'], cwd: dir });
  if (input) child.stdin!.end(input);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`sygra-stream ${args.join(' ')} exited ${code}`);
  return code;
}

const rows: Array<Array<string | number>> = [];
for (const workers of [1, 2, 4]) {
  const queue = `bench-${workers}`;
  const input = Array.from({ length: records }, (_, i) => JSON.stringify({ id: i, q: `Scale question ${i} for ${workers} workers` })).join('\n') + '\n';
  await cliRun(['queue', 'push', '--redis', redis.url, '--queue', queue, '-q'], input);
  const before = (await server.stats()).chat_requests!;
  const started = process.hrtime.bigint();
  const workerArgs = ['worker', graph, '--redis', redis.url, '--queue', queue, '--exit-when-done', '--no-cache', '--batch', String(batch), '--prefetch', String(prefetch), '-q'];
  await Promise.all([...Array.from({ length: workers }, () => cliRun(workerArgs)), cliRun(['queue', 'drain', '--redis', redis.url, '--queue', queue, '-q'])]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const requests = (await server.stats()).chat_requests! - before;
  const bound = (workers * concurrency) / (latency / 1000);
  rows.push([workers, requests, Math.round(records / seconds), Math.round(bound), records / seconds / bound]);
}
console.log(`\nscale-out benchmark: ${records.toLocaleString('en-US')} distinct prompts, mock-server latency ${latency} ms, C = ${concurrency} per worker, this machine's cores: 2\n`);
printTable(['workers', 'HTTP requests', 'records/s', 'bound W×C/L', '÷ bound'], rows);
publish('scale', 'npm run bench:scale', ['workers', 'HTTP requests', 'records/s', 'bound W×C/L', '÷ bound'], rows);
console.log("\n(wall time from the workers' start to the end of drain, startup included)");
await server.stop();
await redis.stop();
