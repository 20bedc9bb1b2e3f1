// npm run bench:oasst — OASST ingestion throughput on the shared OASST2 sample, repeated
// (with fresh ids per copy, so nothing is a duplicate) to at least 200,000 messages.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, publish } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'dist', 'sygra-stream.mjs');
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
const rows: Array<Array<string | number>> = [];
for (const [name, input, args] of [
  ['trees → sft', trees, []],
  ['messages → sft', flat, []],
  ['messages → sft --sorted', flat, ['--sorted']],
  ['trees → dpo', trees, ['--mode', 'dpo']],
] as const) {
  const m = await measure([process.execPath, cli, 'oasst', '-q', ...args], input.path);
  rows.push([name, input.messages, Math.round(input.messages / m.seconds), m.seconds, m.peakRssMb]);
}
console.log(`\noasst benchmark: the OASST2 sample repeated to ${target.toLocaleString('en-US')}+ messages\n`);
printTable(['run', 'messages', 'messages/s', 'seconds', 'peak RSS MB'], rows);
publish('oasst', 'npm run bench:oasst', ['run', 'messages', 'messages/s', 'seconds', 'peak RSS MB'], rows);
