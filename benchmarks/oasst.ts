// npm run bench:oasst — OASST ingestion throughput on the shared OASST2 sample, repeated
// (with fresh ids per copy, so nothing is a duplicate) to at least 200,000 messages, against
// a plain Python script doing trees → SFT (benchmarks/oasst-plain.py) in the same run; best of 3.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, publish, type Measurement, benchCli } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const data = join(root, '..', 'shared', 'data', 'oasst2');
if (!existsSync(join(data, 'messages.jsonl'))) {
  console.log(`skipped: no OASST2 sample at ${data}`);
  process.exit(0);
}
const target = 200_000;
const dir = join(root, 'bench-data', 'oasst');
await mkdir(dir, { recursive: true });

/** Rewrites every id in a line with a per-copy suffix (ids are UUIDs, so a regex is safe). */
const retag = (line: string, copy: number): string => line.replace(/("(?:message_id|parent_id|message_tree_id)": ?")([0-9a-f-]{36})"/g, `$1$2-${copy}"`);

async function repeat(file: string, perLine: (l: string) => number): Promise<{ path: string; messages: number }> {
  const source = (await readFile(join(data, file), 'utf8')).split('\n').filter(Boolean);
  const perCopy = source.reduce((s, l) => s + perLine(l), 0);
  const copies = Math.ceil(target / perCopy);
  const out: string[] = [];
  for (let c = 0; c < copies; c++) for (const l of source) out.push(retag(l, c));
  const path = join(dir, `${file}.x${copies}`);
  await writeFile(path, out.join('\n') + '\n');
  return { path, messages: perCopy * copies };
}

const countTree = (line: string): number => (line.match(/"message_id": ?"/g) ?? []).length;
const trees = await repeat('trees.jsonl', countTree);
const flat = await repeat('messages.jsonl', () => 1);
// The plain Python script a user might write instead (trees → SFT, the same conversations).
/** Best of three runs (the machine is shared: one run can be a tenth slower than the next). */
async function best(argv: string[], input: string): Promise<Measurement> {
  let fastest: Measurement | null = null;
  for (let i = 0; i < 3; i++) {
    const m = await measure(argv, input);
    if (m.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${m.exitCode}`);
    if (!fastest || m.seconds < fastest.seconds) fastest = m;
  }
  return fastest!;
}
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.error('(no python3: the plain Python script is left out)');
const python = hasPython ? await best(['python3', join(root, 'benchmarks', 'oasst-plain.py')], trees.path) : null;
const rows: Array<Array<string | number>> = python ? [['plain Python script: trees → sft', trees.messages, Math.round(trees.messages / python.seconds), python.seconds, python.peakRssMb, 1]] : [];
for (const [name, input, args] of [
  ['trees → sft', trees, []],
  ['messages → sft', flat, []],
  ['messages → sft --sorted', flat, ['--sorted']],
  ['trees → dpo', trees, ['--mode', 'dpo']],
] as const) {
  const m = await best([process.execPath, cli, 'oasst', '-q', ...args], input.path);
  rows.push([name, input.messages, Math.round(input.messages / m.seconds), m.seconds, m.peakRssMb, name === 'trees → sft' && python ? (python.seconds / m.seconds).toFixed(2) : '']);
}
console.log(`\noasst benchmark: the OASST2 sample repeated to ${target.toLocaleString('en-US')}+ messages\n`);
const header = ['run', 'messages', 'messages/s', 'seconds', 'peak RSS MB', '× the Python script'];
printTable(header, rows);
publish('oasst', 'npm run bench:oasst', header, rows);
