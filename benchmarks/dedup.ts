// npm run bench:dedup — the dedup node's three methods, through the CLI, against baselines
// measured in the same run (awk '!seen[$0]++', a hand-written Node loop), plus the memory
// each kept record costs in the minhash and semantic indexes (measured in this process).
// Options: --records N (exact, default 1000000), --conversations N (minhash, default 100000).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LshIndex, lshShape } from '../lib/dedup/lsh-index.js';
import { MinHasher } from '../lib/dedup/minhash.js';
import { hyperplaneShape, VectorIndex } from '../lib/dedup/vector-index.js';
import { mockEmbedding } from '../lib/llm/mock/embedding.js';
import { arg, fileMb, measure, printTable, publish, type Measurement, benchCli } from './harness.js';
import { prng, writeNdjson } from './records.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const floor = join(here, 'dedup-floor.js');
const dir = join(root, 'bench-data', 'dedup');
await mkdir(dir, { recursive: true });

const rand = prng(11);
const SYLLABLES = 'ka lo mi ne ru ta pe so vi da ge ho ju ba ci fe'.split(' ');
const VOCAB = Array.from({ length: 5000 }, (_, i) => {
  let w = '';
  for (let x = i + 1; x > 0; x = Math.floor(x / 16)) w += SYLLABLES[x % 16];
  return w;
});
const word = (): string => VOCAB[Math.min(VOCAB.length - 1, Math.floor(1 / (rand() + 0.0002)) - 1)]!;
const sentence = (n: number): string => Array.from({ length: n }, word).join(' ');
/** Words drawn evenly from the vocabulary: topics that differ, as questions on many subjects do (Zipf draws make every text share its commonest words). */
const topic = (n: number): string => Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]!).join(' ');

/** Writes `count` records made by `make(i)`; one in five repeats an earlier one (re-cased, re-spaced or lightly edited). */
async function writeRecords(path: string, count: number, make: (i: number) => Record<string, unknown>, copy: (r: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const earlier: Array<Record<string, unknown>> = [];
  await writeNdjson(
    path,
    (function* () {
      for (let i = 0; i < count; i++) {
        if (earlier.length > 0 && rand() < 0.2) {
          yield { ...copy(earlier[Math.floor(rand() * earlier.length)]!), id: i };
          continue;
        }
        const record = make(i);
        if (earlier.length < 50_000) earlier.push(record);
        else earlier[Math.floor(rand() * earlier.length)] = record;
        yield record;
      }
    })(),
  );
}

async function timed(argv: string[], input: string): Promise<Measurement> {
  const m = await measure(argv, input);
  if (m.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${m.exitCode}`);
  return m;
}

const graph = async (name: string, yaml: string): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, yaml);
  return path;
};

// Exact: short instruction records (~110 bytes), 20% repeats with case and spacing changed.
const records = arg('records', 1_000_000);
const exactInput = join(dir, `instructions-${records}.jsonl`);
await writeRecords(
  exactInput,
  records,
  (i) => ({ id: i, text: sentence(6 + Math.floor(rand() * 10)) }),
  (r) => ({
    text: rand() < 0.5 ? String(r.text).toUpperCase() : String(r.text).replaceAll(' ', '  '),
  }),
);
const exactGraph = await graph('exact.yaml', 'nodes:\n  dedup: { type: dedup, method: exact, field: text }\n');
const hasAwk = spawnSync('awk', ['--version']).status === 0 || spawnSync('awk', ['-W', 'version']).status === 0;
const exactRows: Array<[string, Measurement]> = [];
if (hasAwk) exactRows.push(["awk '!seen[$0]++' (whole line, no JSON)", await timed(['awk', '!seen[$0]++'], exactInput)]);
exactRows.push(['Node loop: parse, normalise, Set, stringify', await timed([process.execPath, floor, 'text'], exactInput)]);
exactRows.push(['sygra-stream dedup exact', await timed([process.execPath, cli, 'run', exactGraph, '-q'], exactInput)]);
const loop = exactRows.find(([n]) => n.startsWith('Node loop'))![1];
console.log(`\nexact dedup: ${records.toLocaleString('en-US')} records, ${(await fileMb(exactInput)).toFixed(1)} MB, 20% repeats\n`);
const exactTable = exactRows.map(([name, m]) => [name, Math.round(records / m.seconds), loop.seconds / m.seconds, m.peakRssMb]);
printTable(['command', 'records/s', 'x Node loop', 'peak RSS MB'], exactTable);
publish('dedup-exact', 'npm run bench:dedup', ['command', 'records/s', 'x Node loop', 'peak RSS MB'], exactTable);

// MinHash: conversations of ~1 KB, 20% near copies (a word dropped, case changed).
const conversations = arg('conversations', 100_000);
const minhashInput = join(dir, `conversations-${conversations}.jsonl`);
await writeRecords(
  minhashInput,
  conversations,
  (i) => ({
    id: i,
    messages: [
      { role: 'user', content: sentence(15 + Math.floor(rand() * 20)) },
      { role: 'assistant', content: sentence(240 + Math.floor(rand() * 60)) },
    ],
  }),
  (r) => ({
    messages: (r.messages as Array<{ role: string; content: string }>).map((m) => {
      const words = m.content.split(' ');
      words.splice(Math.floor(rand() * words.length), 1);
      return { role: m.role, content: rand() < 0.5 ? words.join(' ').toUpperCase() : words.join(' ') };
    }),
  }),
);
const minhashMb = await fileMb(minhashInput);
const minhashGraph = await graph('minhash.yaml', 'nodes:\n  dedup: { type: dedup, method: minhash }\n');
const minhashRows: Array<[string, Measurement]> = [];
minhashRows.push(['Node loop: parse, normalise, Set, stringify', await timed([process.execPath, floor, 'messages'], minhashInput)]);
minhashRows.push(['sygra-stream dedup minhash (128 permutations)', await timed([process.execPath, cli, 'run', minhashGraph, '-q'], minhashInput)]);
const minLoop = minhashRows[0]![1];
console.log(`\nminhash dedup: ${conversations.toLocaleString('en-US')} conversations, ${((minhashMb * 1024) / conversations).toFixed(2)} KB each, 20% near copies\n`);
const minhashTable = minhashRows.map(([name, m]) => [name, Math.round(conversations / m.seconds), minLoop.seconds / m.seconds, m.peakRssMb]);
printTable(['command', 'conversations/s', 'x Node loop', 'peak RSS MB'], minhashTable);
publish('dedup-minhash', 'npm run bench:dedup', ['command', 'conversations/s', 'x Node loop', 'peak RSS MB'], minhashTable);

// Memory per kept record, measured on the indexes themselves after a full GC.
const gc = (globalThis as { gc?: () => void }).gc;
const held: unknown[] = []; // what is measured stays reachable until it is measured
function heapAfter(fill: () => unknown): number {
  gc?.();
  const before = process.memoryUsage();
  held.push(fill());
  gc?.();
  const after = process.memoryUsage();
  return after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
}
const kept = 100_000;
const hasher = new MinHasher({ permutations: 128, shingle: 'word', k: 3, seed: 0 });
const texts = Array.from({ length: 2000 }, () => sentence(150));
const lshBytes = heapAfter(() => {
  const index = new LshIndex(128, lshShape(0.8, 128), 0.8);
  // Unrelated signatures, so that every one is kept.
  for (let i = 0; i < kept; i++)
    index.match(
      Uint32Array.from({ length: 128 }, () => Math.floor(rand() * 2 ** 32)),
      i + 1,
    );
  return index;
});
const vectorBytes = heapAfter(() => {
  const index = new VectorIndex(kept, hyperplaneShape(0.95), 1);
  for (let i = 0; i < 20_000; i++) index.add(mockEmbedding(topic(12)), i + 1);
  return index;
});
console.log(`\nmemory per kept record${gc ? '' : ' (run with --expose-gc for exact figures)'}\n`);
const memoryRows = [
  ['exact (hash set)', '12 a slot, ~17 at load', '64-bit hash + line; grows x2 up to max_memory_mb'],
  ['minhash LSH (128 perm., threshold 0.8)', Math.round(lshBytes / kept), `signature 512 B, line, ${lshShape(0.8, 128).bands} band entries (${kept.toLocaleString('en-US')} kept)`],
  ['semantic, index lsh (256-dim float32)', Math.round(vectorBytes / 20_000), `vector 1,024 B, line, ${hyperplaneShape(0.95).bands} band entries (20,000 kept)`],
];
printTable(['index', 'bytes per kept record', 'what it holds'], memoryRows);
if (gc) publish('dedup-memory', 'npm run bench:dedup', ['index', 'bytes per kept record', 'what it holds'], memoryRows);
// Semantic lookups against a growing kept set: the LSH bands against the exact scan.
const lookupRows: Array<Array<string | number>> = [];
for (const size of [10_000, 100_000]) {
  for (const [label, shape] of [
    ['lsh (default)', hyperplaneShape(0.95)],
    ['exact', null],
  ] as const) {
    const index = new VectorIndex(size, shape, 1);
    for (let i = 0; i < size; i++) index.add(mockEmbedding(topic(12)), i + 1);
    const before = index.compared;
    const queries = shape ? 2000 : 100;
    const probes = Array.from({ length: queries }, () => mockEmbedding(topic(12)));
    const started = performance.now();
    for (const probe of probes) index.nearest(probe);
    const perSecond = queries / ((performance.now() - started) / 1000);
    lookupRows.push([label, size, Math.round(perSecond), Math.round((index.compared - before) / queries), ((index.compared - before) / queries / size).toFixed(4)]);
  }
}
console.log('\nsemantic lookups (256-dim mock embeddings, threshold 0.95)\n');
printTable(['index', 'kept', 'lookups/s', 'vectors compared per lookup', 'fraction of kept'], lookupRows);
publish('dedup-lookups', 'npm run bench:dedup', ['index', 'kept', 'lookups/s', 'vectors compared per lookup', 'fraction of kept'], lookupRows);

// End to end through the CLI on the built-in mock embedding (no HTTP): 20,000 questions, 20% repeats.
const semanticInput = join(dir, 'questions-20000.jsonl');
await writeRecords(
  semanticInput,
  20_000,
  (i) => ({ id: i, q: topic(8 + Math.floor(rand() * 8)) }),
  (r) => ({ q: `${String(r.q)}?` }),
);
const semanticRows: Array<Array<string | number>> = [];
for (const index of ['lsh', 'exact']) {
  const g = await graph(`semantic-${index}.yaml`, `nodes:\n  dedup: { type: dedup, method: semantic, field: q, index: ${index} }\n`);
  const m = await timed([process.execPath, cli, 'run', g, '-q', '--no-cache'], semanticInput);
  semanticRows.push([`sygra-stream dedup semantic, index: ${index}`, Math.round(20_000 / m.seconds), m.peakRssMb]);
}
console.log('\nsemantic dedup end to end: 20,000 questions, built-in mock embeddings\n');
printTable(['command', 'records/s', 'peak RSS MB'], semanticRows);
publish('dedup-semantic', 'npm run bench:dedup', ['command', 'records/s', 'peak RSS MB'], semanticRows);

const t0 = performance.now();
for (let i = 0; i < 2000; i++) hasher.signature(texts[i]!);
console.log(`\nminhash signatures alone: ${Math.round(2000 / ((performance.now() - t0) / 1000)).toLocaleString('en-US')}/s for 150-word texts`);
