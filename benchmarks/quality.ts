// npm run bench:quality — the heuristic rule set on the shared OASST conversations (×40, and
// ×200 for the rules alone) and on
// 100,000 generated conversations (records/s through the CLI, startup included, best of 3),
// on one thread and with --threads 2, against a plain parse-and-stringify Node loop.
import { applyDefaults } from '../lib/config/defaults.js';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, publishTable, type Measurement, benchCli } from './harness.js';
import { generatedConversations } from './quality-texts.js';
import { qualityRulesNode } from '../lib/nodes/quality-rules.js';
import type { CompiledNode } from '../lib/nodes/definition.js';
import type { JsonObject } from '../lib/record/item.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const dir = join(root, 'bench-data', 'quality');
await mkdir(dir, { recursive: true });

async function generated(count: number): Promise<string> {
  const path = join(dir, `generated-${count}.jsonl`);
  let out = '';
  for (const record of generatedConversations(count)) out += JSON.stringify(record) + '\n';
  await writeFile(path, out);
  return path;
}

/** An input, and whether it also gets the rows with language and tokens and the in-process table. */
interface Input {
  name: string;
  path: string;
  count: number;
  full: boolean;
}
const inputs: Input[] = [];
const gen = await generated(100_000);
inputs.push({ name: '100,000 generated (~1 KB)', path: gen, count: 100_000, full: true });
const oasst = join(root, '..', 'shared', 'data', 'oasst2', 'trees.jsonl');
if (existsSync(oasst)) {
  const convs = join(dir, 'oasst-sft.jsonl');
  const res = spawnSync(process.execPath, [cli, 'oasst', '-q', '-i', oasst, '-o', convs]);
  if (res.status !== 0) throw new Error('oasst conversion failed');
  // Repeat the 494 real conversations so the run is long enough to time.
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(convs, 'utf8');
  const count = text.split('\n').filter(Boolean).length;
  await writeFile(join(dir, 'oasst-x40.jsonl'), text.repeat(40));
  inputs.push({ name: 'OASST2 SFT conversations ×40', path: join(dir, 'oasst-x40.jsonl'), count: count * 40, full: true });
  // As many conversations as the generated set, so start-up and warm-up weigh as little.
  await writeFile(join(dir, 'oasst-x200.jsonl'), text.repeat(200));
  inputs.push({ name: 'OASST2 SFT conversations ×200', path: join(dir, 'oasst-x200.jsonl'), count: count * 200, full: false });
} else console.log(`(no OASST2 sample at ${oasst}: generated data only)`);

const floor = join(here, 'json-floor.js');
/** Best of three runs: the machine's noise only ever slows a run down. */
async function best(argv: string[], path: string): Promise<Measurement> {
  const runs: Measurement[] = [];
  for (let i = 0; i < 3; i++) {
    const m = await measure(argv, path);
    if (m.exitCode !== 0) return m;
    runs.push(m);
  }
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
}
const rows: Array<Array<string | number>> = [];
for (const { name, path, count, full } of inputs) {
  const base = await best([process.execPath, floor], path);
  if (base.exitCode !== 0) throw new Error(`the floor loop failed on ${name}`);
  const baseRate = count / base.seconds;
  rows.push([name, 'Node loop: parse, set a field, stringify (no rules)', 1, count, Math.round(baseRate), '1.00', base.peakRssMb]);
  const graphs = [['rules', join(root, 'benchmarks', 'graphs', 'rules.yaml')]] as Array<[string, string]>;
  if (full) graphs.push(['rules + language + tokens', join(root, 'benchmarks', 'graphs', 'rules-all.yaml')]);
  for (const [label, graph] of graphs) {
    for (const threads of [1, 2]) {
      const m = await best([process.execPath, cli, 'run', graph, '-q', '--threads', String(threads)], path);
      if (m.exitCode !== 0) throw new Error(`${label} on ${name} exited ${m.exitCode}`);
      const rate = count / m.seconds;
      rows.push([name, label, threads, count, Math.round(rate), (rate / baseRate).toFixed(2), m.peakRssMb]);
    }
  }
  // What two cores give at most: two independent one-thread runs at once, each on the whole input.
  const rules = [process.execPath, cli, 'run', join(root, 'benchmarks', 'graphs', 'rules.yaml'), '-q'];
  let pair = Infinity;
  for (let i = 0; i < 3; i++) {
    const both = await Promise.all([measure(rules, path), measure(rules, path)]);
    pair = Math.min(pair, Math.max(...both.map((m) => m.seconds)));
  }
  const pairRate = (2 * count) / pair;
  rows.push([name, 'rules: two one-thread runs at once (ceiling for 2 threads)', '2×1', 2 * count, Math.round(pairRate), (pairRate / baseRate).toFixed(2), '']);
}
console.log('\nquality rules benchmark (startup included; the floor loop runs on one thread)\n');
const header = ['input', 'run', 'threads', 'conversations', 'conversations/s', '× floor', 'peak RSS MB'];
printTable(header, rows);
const performancePage = join(root, 'docs', 'performance.md');
publishTable(performancePage, 'quality', 'npm run bench:quality', header, rows);

// In-process, without reading or writing: the node alone on each input's first 5,000
// conversations (best of 10), against JSON.parse + JSON.stringify of the same lines.
const node = (await qualityRulesNode.compile(applyDefaults(qualityRulesNode.schema, { type: 'quality_rules', stats: false }), {
  name: 'rules',
  graphDir: root,
  report: (path: unknown[], message: string) => {
    throw new Error(`${path.join('.')}: ${message}`);
  },
} as never)) as CompiledNode;
const micro: Array<Array<string | number>> = [];
for (const { name, path, full } of inputs) {
  if (!full) continue;
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean).slice(0, 5000);
  let rules = Infinity;
  let json = Infinity;
  for (let round = 0; round < 10; round++) {
    const records = lines.map((l) => JSON.parse(l) as JsonObject);
    let started = performance.now();
    for (const record of records) node.run(record, { node: 'rules', line: 1, seq: 0 });
    rules = Math.min(rules, performance.now() - started);
    started = performance.now();
    for (const line of lines) JSON.stringify(JSON.parse(line));
    json = Math.min(json, performance.now() - started);
  }
  const perConv = (ms: number): string => ((ms * 1000) / lines.length).toFixed(1);
  micro.push([name, lines.length, perConv(json), perConv(rules), (rules / json).toFixed(2)]);
}
console.log('\nthe node alone, in-process (best of 10)\n');
const microHeader = ['input', 'conversations', 'JSON parse + stringify µs/conv', 'quality_rules µs/conv', '× JSON'];
printTable(microHeader, micro);
publishTable(performancePage, 'quality-node', 'npm run bench:quality', microHeader, micro);
