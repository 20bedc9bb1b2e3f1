// npm run bench:view — `sygra-stream view` over a 1 GB output file of tagged SFT records:
// how fast the line index is built (against `wc -l` and a plain Node newline loop over the
// same file, in the same run), how soon the first page answers after it, the background
// filter columns, a filtered page, a sort, a text search, and the viewer's peak RSS.
// Options: --mb N (file size, default 1024).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { arg, printTable, publish, watchPeakRss, benchCli } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const mb = arg('mb', 1024);
const dataDir = join(root, 'bench-data');
await mkdir(dataDir, { recursive: true });
const input = join(dataDir, `view-${mb}mb-v2.jsonl`);

const WORDS = 'the model answer question light water plant energy because which could would system people reason example first second value change process result often during between'.split(' ');
const RULES = [
  'word_count',
  'mean_word_length',
  'symbol_word_ratio',
  'alpha_words',
  'stop_words',
  'duplicate_line_fraction',
  'top_2gram_coverage',
  'duplicate_5gram_coverage',
  'url_fraction',
  'truncated',
  'refusal',
  'ai_disclaimer',
  'pii',
  'role_alternation',
  'language',
];
const LANGS = ['en', 'en', 'en', 'es', 'de', 'fr', 'ru', 'zh'];

/** A deterministic tagged SFT record of about 2 KB, as oasst-curation.yaml writes them. */
function record(i: number): string {
  // mulberry32, seeded by the record's number.
  let seed = i >>> 0;
  const next = (n: number): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = seed;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) / 4294967296) * n;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next(list.length))]!;
  const text = (words: number): string => Array.from({ length: words }, () => pick(WORDS)).join(' ');
  const turns = 2 + 2 * Math.floor(next(3));
  const messages = Array.from({ length: turns }, (_, k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: `${text(k % 2 === 0 ? 12 : 40 + Math.floor(next(60)))}.` }));
  const rules = Object.fromEntries(RULES.map((r) => [r, { value: Math.floor(next(100)) / 10, pass: next(20) >= 1 }]));
  const judge = { helpfulness: { score: 1 + Math.floor(next(10)), rationale: text(12) }, correctness: { score: 1 + Math.floor(next(10)), rationale: text(12) } };
  const score = Math.round((judge.helpfulness.score + judge.correctness.score) * 5) / 10;
  return JSON.stringify({ id: `r${i}`, messages, meta: { lang: pick(LANGS), quality: { rules, rules_passed: Object.values(rules).every((r) => r.pass), judge, score } } });
}

if (!existsSync(input) || statSync(input).size < mb * 1024 * 1024) {
  console.error(`writing ${input} (${mb} MB)…`);
  const out = createWriteStream(input);
  let written = 0;
  for (let i = 0; written < mb * 1024 * 1024; i++) {
    const line = `${record(i)}\n`;
    written += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
const bytes = statSync(input).size;
const fileMb = bytes / 1e6;

/** Wall seconds of a command, best of 3 (the file is in the page cache after the first). */
function timeCommand(argv: string[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    const res = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
    if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}`);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

/** The floor a JS index cannot beat: stream the file and find every newline, nothing kept. */
async function nodeNewlineLoop(): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    let lines = 0;
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    }
    if (lines === 0) throw new Error('no lines');
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

const wc = timeCommand(['wc', '-l', input]);
const nodeLoop = await nodeNewlineLoop();

// A first start of `view` after a build compiles its code and writes the compile cache
// (bin/compile-cache.ts): done once on a small file, so the timing below is of a usual start.
{
  const small = join(dataDir, 'view-bench-warmup.jsonl');
  writeFileSync(small, '{"text":"warm-up"}\n');
  const warm = spawn(process.execPath, [cli, 'view', small], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    warm.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
      if (/indexed /.test(said)) resolve();
    });
    warm.once('exit', (code) => reject(new Error(`view (warm-up) exited ${code}: ${said}`)));
  });
  warm.kill('SIGINT');
  await once(warm, 'exit');
}

// The viewer, as a user starts it; stderr says when the index and the filters are done.
const started = process.hrtime.bigint();
const child = spawn(process.execPath, [cli, 'view', input, '--labels', join(dataDir, 'view-bench.labels.jsonl')], { stdio: ['ignore', 'pipe', 'pipe'] });
const rss = watchPeakRss(child.pid!);
let stderr = '';
const waiters = new Set<() => void>();
child.stderr!.on('data', (d: Buffer) => {
  stderr += d.toString();
  for (const wake of waiters) wake();
});
/** Resolves once stderr (all of it, kept from the start) matches. */
const seen = (pattern: RegExp): Promise<RegExpMatchArray> =>
  new Promise((resolve, reject) => {
    const look = (): void => {
      const m = stderr.match(pattern);
      if (m) {
        waiters.delete(look);
        resolve(m);
      }
    };
    waiters.add(look);
    child.once('exit', (code) => reject(new Error(`view exited ${code}: ${stderr}`)));
    look();
  });
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('\n')) resolve(out.split('\n')[0]!);
  });
});
const indexed = await seen(/indexed .*: (\d+) records, [\d.]+ MB in ([\d.]+) s/);
const indexSeconds = Number(indexed[2]);
const records = Number(indexed[1]);
const sinceStart = (): number => Number(process.hrtime.bigint() - started) / 1e9;

/** Milliseconds for one GET, and its JSON. */
async function get(path: string): Promise<{ ms: number; body: { total?: number } }> {
  const t0 = process.hrtime.bigint();
  const res = await request(`${url}${path}`);
  const body = (await res.body.json()) as { total?: number; error?: string };
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.error}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, body };
}

const firstPage = await get('api/list?file=0&offset=0&limit=50');
const middle = await get(`api/record?file=0&n=${Math.floor(records / 2)}`);
const lastPage = await get(`api/list?file=0&offset=${records - 50}&limit=50`);
const filtersStarted = sinceStart();
const filters = await seen(/filters ready for .* \(([\d.]+) s\)/);
const filterSeconds = Number(filters[1]);
const filtered = await get('api/list?file=0&tag=rule:truncated&lang=de&limit=50');
const sorted = await get('api/list?file=0&sort=-score&limit=50');
const search = await get('api/list?file=0&q=Second%20Value%20Change&limit=50');
const peakRssMb = rss.stop();
child.kill('SIGINT');
await once(child, 'exit');

console.log(`\nview benchmark: ${records.toLocaleString('en-US')} tagged SFT records, ${fileMb.toFixed(0)} MB (${input})\n`);
const header = ['step', 'time', 'MB/s', 'ratio'];
const rows: Array<Array<string | number>> = [
  ['`wc -l` over the file (floor)', `${wc.toFixed(2)} s`, fileMb / wc, '1.00 (÷ wc)'],
  ['a plain Node loop finding every newline (floor)', `${nodeLoop.toFixed(2)} s`, fileMb / nodeLoop, `${(nodeLoop / wc).toFixed(2)} (÷ wc)`],
  ['view: line index (16 bytes a record)', `${indexSeconds.toFixed(2)} s`, fileMb / indexSeconds, `${(indexSeconds / nodeLoop).toFixed(2)} (÷ Node loop)`],
  ['view: first page of 50, after the index', `${firstPage.ms.toFixed(0)} ms`, '', ''],
  ['view: a record from the middle', `${middle.ms.toFixed(0)} ms`, '', ''],
  ['view: the last page', `${lastPage.ms.toFixed(0)} ms`, '', ''],
  ['view: filter columns, every record parsed (background)', `${filterSeconds.toFixed(2)} s`, fileMb / filterSeconds, ''],
  [`view: failed rule + language filter (${filtered.body.total} records)`, `${filtered.ms.toFixed(0)} ms`, '', ''],
  ['view: sorted by score, high first', `${sorted.ms.toFixed(0)} ms`, '', ''],
  [`view: text search over the file (${search.body.total} records)`, `${(search.ms / 1000).toFixed(2)} s`, fileMb / (search.ms / 1000), `${(search.ms / 1000 / wc).toFixed(2)} (÷ wc)`],
  ['view: peak RSS (VmHWM)', `${peakRssMb.toFixed(0)} MB`, '', ''],
];
printTable(header, rows);
console.log(`\n(the filters were ready ${(sinceStart() - filtersStarted).toFixed(1)} s after the first pages were served)`);
publish('view', 'npm run bench:view', header, rows);
