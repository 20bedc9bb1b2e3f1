// npm run bench:batch — a batch model's side of 20,000 batch results: once the mock's
// batch has ended, the output file is downloaded, each line parsed into a completion and
// its request's promise resolved. Raced against a raw Node loop that only JSON.parses
// the same file's lines (the floor), in the same run.
// Options: --n N (default 20000), --runs K (best of K, default 7: a run of about 0.1 s
// varies by half from one to the next on a shared machine, and noise only slows a run).
import { MockServer, QUIET_MOCK } from '../lib/llm/mock/server.js';
import { openAiBatchApi } from '../lib/llm/batch/openai-batch.js';
import { openAiConnection } from '../lib/llm/transports/openai.js';
import { batchTransport } from '../lib/llm/transports/batch.js';
import { mockTransport } from '../lib/llm/transports/mock.js';
import type { BatchApi, BatchRecord } from '../lib/llm/batch/batch-api.js';
import { ModelRuntime } from '../lib/llm/models.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, printTable, publish } from './harness.js';

const n = arg('n', 20_000);
const runs = arg('runs', 7);

const server = new MockServer({ ...QUIET_MOCK, batch: { delayMs: 0, failEvery: 0, expire: false } });
const url = await server.listen();
const connect = () => openAiConnection({ name: 'm', model: 'gpt-4o-mini', baseUrls: [url], timeoutMs: 120_000, connections: 4, balance: 'least_outstanding', onRateLimit: () => {} });

/** One batch of `n` requests: seconds from its results being asked for to the last answer resolved, and its output file. */
async function oneBatch(round: number): Promise<{ seconds: number; output: string }> {
  const connection = connect();
  const real = openAiBatchApi('gpt-4o-mini', connection);
  let asked = 0;
  const api: BatchApi = {
    ...real,
    results(id, requests) {
      asked = performance.now();
      return real.results(id, requests);
    },
  };
  const batches = new Map<string, BatchRecord>();
  const transport = batchTransport({ name: 'm', api, journal: async () => null, direct: mockTransport('m'), windowMs: 50, pollMs: 10, batches });
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) => transport.dispatch({ kind: 'chat', input: { messages: [{ role: 'user', content: `round ${round} question ${i}` }], params: {} } })),
  );
  const seconds = (performance.now() - asked) / 1000;
  if (answers.length !== n || batches.size !== 1) throw new Error(`expected ${n} answers from one batch`);
  // The floor's input: the same output file, fetched again outside the timing.
  const http = await connection();
  const id = [...batches.keys()][0]!;
  const batch = (await http.getJson(http.pick(), `/batches/${id}`)) as { output_file_id: string };
  const output = await http.getText(http.pick(), `/files/${batch.output_file_id}/content`);
  await transport.close();
  return { seconds, output };
}

/** The floor: JSON.parse of every line of the output file, nothing else. */
function floor(output: string): number {
  const started = performance.now();
  let count = 0;
  for (const line of output.split('\n')) if (line !== '' && JSON.parse(line)) count++;
  if (count !== n) throw new Error(`the output file has ${count} lines`);
  return (performance.now() - started) / 1000;
}

/** The whole path a graph's llm node takes: client, memory and disk cache, the batch submitted, answered and cached. */
async function wholeClient(round: number): Promise<number> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'bench-batch-'));
  const runtime = new ModelRuntime({ cacheDir, cacheReadOnly: false, cache: true, env: {} });
  try {
    const client = runtime.registry({ m: { base_url: url, model: 'gpt-4o-mini', batch: true, concurrency: n, batch_window_ms: 50, batch_poll_ms: 10 } }).get('m');
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => client.chat({ messages: [{ role: 'user', content: `whole ${round} question ${i}` }], params: {} })));
    return (performance.now() - started) / 1000;
  } finally {
    await runtime.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

let whole = Number.POSITIVE_INFINITY;
let ours = Number.POSITIVE_INFINITY;
let raw = Number.POSITIVE_INFINITY;
for (let r = 0; r < runs; r++) {
  const { seconds, output } = await oneBatch(r);
  ours = Math.min(ours, seconds);
  raw = Math.min(raw, floor(output));
  whole = Math.min(whole, await wholeClient(r));
}
await server.close();
const header = ['path', 'results', 'seconds', 'results/s', '× floor'];
const rows = [
  ['batch results: download, parse into completions, resolve each request', n, ours, n / ours, ours / raw],
  ['floor: JSON.parse of each line of the same file (raw Node loop)', n, raw, n / raw, 1],
  ['whole: model client with memory and disk cache; upload, mock answers, download, cache fill', n, whole, n / whole, whole / raw],
];
printTable(header, rows);
publish('batch', 'npm run bench:batch', header, rows);
