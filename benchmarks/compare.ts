// npm run bench:compare -- NAME --base CLI [--rounds K] — runs bench:NAME K times (default 3)
// against each of two builds of the command, alternating: this checkout's, and the one at
// CLI (another checkout's dist/sygra-stream.mjs, e.g. from `git worktree add ../base REV`
// then `npm ci` there). Prints each ratio of its tables with its median and range per
// build, and whether the ranges overlap. Nothing is published. Tables measured in process
// (bench:batch, the quality node alone) use this checkout's code in both columns.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchTable, compareRuns } from './compare-tables.js';
import { arg, benchCli, printTable } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const baseAt = process.argv.indexOf('--base');
const baseCli = baseAt > 0 ? process.argv[baseAt + 1] : undefined;
if (!name || name.startsWith('--') || !baseCli) {
  console.error('usage: npm run bench:compare -- NAME --base PATH/dist/sygra-stream.mjs [--rounds K]');
  process.exit(2);
}
const script = join(here, `${name}.js`);
if (!existsSync(script)) {
  console.error(`no benchmark ${name} (${script})`);
  process.exit(2);
}
if (!existsSync(baseCli)) {
  console.error(`no build at ${baseCli}: build the base checkout first (npm ci there)`);
  process.exit(2);
}
const rounds = arg('rounds', 3);
const builds = [
  { label: 'base', cli: resolve(baseCli), tables: [] as BenchTable[][] },
  { label: 'head', cli: benchCli(), tables: [] as BenchTable[][] },
];
const scratch = mkdtempSync(join(tmpdir(), 'bench-compare-'));
try {
  for (let round = 1; round <= rounds; round++) {
    for (const build of builds) {
      const file = join(scratch, `${build.label}-${round}.jsonl`);
      console.error(`bench:compare: ${name}, round ${round} of ${rounds}, ${build.label}`);
      // --expose-gc for bench:dedup, which measures memory after a collection.
      const res = spawnSync(process.execPath, ['--expose-gc', script], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, SYGRA_BENCH_CLI: build.cli, SYGRA_BENCH_TABLES: file },
      });
      if (res.status !== 0) throw new Error(`bench:${name} with the ${build.label} build exited ${res.status}`);
      build.tables.push(
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as BenchTable)
          : [],
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const changes = compareRuns(builds[0]!.tables, builds[1]!.tables);
const range = (s: { median: number; min: number; max: number }): string => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
console.log(`\nbench:${name}: ${rounds} rounds a build, alternating; median (range)\n`);
printTable(
  ['table', 'row', 'column', 'base', 'head', 'change', 'ranges overlap'],
  changes.map((c) => [c.table, c.row, c.column, range(c.base), range(c.head), `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%`, c.overlap ? 'yes' : 'NO']),
);
