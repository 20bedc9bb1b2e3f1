// npm run bench:decontaminate — the decontaminate node against a reference set of 100,000
// texts: the time to index it (once; later runs load it from the cache), then records
// checked per second on 200,000 chat records, against the same run doing nothing but
// reading and writing them (a keep-all graph), in the same run.
// Options: --references N (default 100000), --records N (default 200000), --runs K (best of K, default 3).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, measure, printTable, publish, benchCli } from './harness.js';
import { writeChatRecords } from './records.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const references = arg('references', 100_000);
const records = arg('records', 200_000);
const work = join(root, 'bench-data', 'decontaminate');
await rm(join(work, '.sygra-cache'), { recursive: true, force: true });
await mkdir(work, { recursive: true });
const input = join(root, 'bench-data', `chat-${records}.jsonl`);
await writeChatRecords(input, records);

// Reference texts of 20 to 60 words, from a vocabulary of their own (benchmark-like questions).
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
let seed = 7;
const next = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const refs = join(work, `references-${references}.jsonl`);
const lines: string[] = [];
for (let i = 0; i < references; i++) lines.push(JSON.stringify({ question: Array.from({ length: 20 + next(40) }, () => VOCAB[next(VOCAB.length)]).join(' ') }));
await writeFile(refs, `${lines.join('\n')}\n`);
const graph = join(work, 'decontaminate.yaml');
await writeFile(graph, `nodes:\n  d: { type: decontaminate, field: response, mode: tag, references: [ { name: bench, file: ${JSON.stringify(refs)}, field: question } ] }\n`);
const keep = join(work, 'keep.yaml');
await writeFile(keep, 'nodes:\n  keep: { type: filter, when: "true" }\n');

const runs = arg('runs', 3);
const once = async (g: string) => {
  // The index is kept in this folder's cache (--cache-dir).
  const m = await measure([process.execPath, cli, 'run', g, '-q', '--cache-dir', join(work, '.sygra-cache')], input);
  if (m.exitCode !== 0) throw new Error(`run ${g} exited ${m.exitCode}`);
  return m;
};
/** Best of `runs` (the cache emptied before each first run). */
const best = async (g: string, cold: boolean) => {
  let fastest: Awaited<ReturnType<typeof once>> | null = null;
  for (let i = 0; i < runs; i++) {
    if (cold) await rm(join(work, '.sygra-cache'), { recursive: true, force: true });
    const m = await once(g);
    if (!fastest || m.seconds < fastest.seconds) fastest = m;
  }
  return fastest!;
};
const baseline = await best(keep, false);
const first = await best(graph, true); // builds the index, then checks
const warm = await best(graph, false); // loads the index from the cache
const indexSeconds = first.seconds - warm.seconds;
const checkSeconds = warm.seconds - baseline.seconds;
const header = ['run', 'seconds', 'records/s', 'peak RSS MB'];
const rows: Array<Array<string | number>> = [
  [`keep-all over ${records.toLocaleString('en-US')} chat records (the baseline)`, baseline.seconds, Math.round(records / baseline.seconds), Math.round(baseline.peakRssMb)],
  [`decontaminate, first run (indexes ${references.toLocaleString('en-US')} references)`, first.seconds, Math.round(records / first.seconds), Math.round(first.peakRssMb)],
  ['decontaminate, index from the cache', warm.seconds, Math.round(records / warm.seconds), Math.round(warm.peakRssMb)],
  ['indexing alone (first run − cached run)', indexSeconds, '', ''],
  ['checking alone (cached run − baseline): records/s', checkSeconds, Math.round(records / Math.max(checkSeconds, 1e-3)), ''],
];
console.log(`\ndecontaminate benchmark: ${records.toLocaleString('en-US')} records against ${references.toLocaleString('en-US')} reference texts (13-grams)\n`);
printTable(header, rows);
publish('decontaminate', 'npm run bench:decontaminate', header, rows);
