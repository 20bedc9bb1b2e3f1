// npm run bench:fanout — what a fan-out and its join cost: 200,000 chat records through one
// branch (START → a node → END) against the same records through a fan-out of three
// branches joined with merge: deep, in the same run, alternating, best of K. Two kinds of
// branch: no-op nodes (a filter that keeps everything: the join's own cost) and nodes that
// each set one field (each branch then works on its own copy of the record, and the join
// merges three changes).
// Options: --records N (default 200000), --runs K (best of K, default 3).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, measure, printTable, publish, benchCli } from './harness.js';
import { writeChatRecords } from './records.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const records = arg('records', 200_000);
const runs = arg('runs', 3);
const work = join(root, 'bench-data', 'fanout');
await mkdir(work, { recursive: true });
const input = join(root, 'bench-data', `chat-${records}.jsonl`);
await writeChatRecords(input, records);

const node = (kind: 'noop' | 'set', name: string): string => (kind === 'noop' ? `  ${name}: { type: filter, when: "true" }` : `  ${name}: { type: map, set: { ${name}: "record.id" } }`);
const graphs: Record<string, string> = {};
for (const kind of ['noop', 'set'] as const) {
  graphs[`${kind}-single`] = ['nodes:', node(kind, 'b1'), 'edges:', '  - { from: START, to: b1 }', '  - { from: b1, to: END }', ''].join('\n');
  graphs[`${kind}-fanout`] = ['nodes:', node(kind, 'b1'), node(kind, 'b2'), node(kind, 'b3'), 'edges:', '  - { from: START, to: [b1, b2, b3] }', '  - { from: [b1, b2, b3], to: END }', ''].join('\n');
}
for (const [name, text] of Object.entries(graphs)) await writeFile(join(work, `${name}.yaml`), text);

const best: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  for (const name of Object.keys(graphs)) {
    const m = await measure([process.execPath, cli, 'run', join(work, `${name}.yaml`), '-q', '--no-cache'], input);
    if (m.exitCode !== 0) throw new Error(`${name} exited ${m.exitCode}`);
    best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, m.seconds);
  }
}
const header = ['branches', 'one branch, s', 'fan-out of three + join, s', 'ratio (fan-out ÷ one)'];
const rows: Array<Array<string | number>> = [
  ['no-op (filter keeping all)', best['noop-single']!, best['noop-fanout']!, (best['noop-fanout']! / best['noop-single']!).toFixed(2)],
  ['each sets one field', best['set-single']!, best['set-fanout']!, (best['set-fanout']! / best['set-single']!).toFixed(2)],
];
console.log(`\nfan-out benchmark: ${records.toLocaleString('en-US')} chat records, best of ${runs}\n`);
printTable(header, rows);
publish('fanout', 'npm run bench:fanout', header, rows);
