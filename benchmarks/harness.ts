import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile, stat } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * The `sygra-stream` command the benchmarks run: this checkout's build, or the one
 * bench:compare names in SYGRA_BENCH_CLI (an earlier build, to race against).
 */
export function benchCli(): string {
  return process.env.SYGRA_BENCH_CLI || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'sygra-stream.mjs');
}

/** One timed command: wall time, peak RSS (VmHWM polled from /proc), exit code. */
export interface Measurement {
  seconds: number;
  peakRssMb: number;
  exitCode: number | null;
}

/**
 * Runs `argv` with stdin from `inputFile` and stdout to `outputFile` (default /dev/null),
 * as a shell's `< in > out` would: the child gets the files directly, so the harness
 * itself costs nothing during the run.
 */
export async function measure(argv: string[], inputFile: string, outputFile = '/dev/null', env: NodeJS.ProcessEnv = process.env): Promise<Measurement> {
  const inFd = openSync(inputFile, 'r');
  const outFd = openSync(outputFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [inFd, outFd, 'inherit'], env });
  closeSync(inFd);
  closeSync(outFd);
  const rss = watchPeakRss(child.pid!);
  const [code] = (await once(child, 'exit')) as [number | null];
  const peakRssMb = rss.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, peakRssMb, exitCode: code };
}

/** Polls a process's peak RSS (VmHWM in /proc) every 20 ms; `stop` ends it and gives the peak in MB. */
export function watchPeakRss(pid: number): { stop(): number } {
  let peakKb = 0;
  const poll = setInterval(() => {
    void readFile(`/proc/${pid}/status`, 'utf8').then(
      (text) => {
        const m = /VmHWM:\s+(\d+) kB/.exec(text);
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      },
      () => undefined,
    );
  }, 20);
  return {
    stop() {
      clearInterval(poll);
      return peakKb / 1024;
    },
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function fileMb(path: string): Promise<number> {
  return (await stat(path)).size / (1024 * 1024);
}

/** Prints rows as an aligned text table. */
export function printTable(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? format(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  for (const [n, row] of cells.entries()) {
    console.log(row.map((c, i) => String(c).padStart(widths[i]!)).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/**
 * Writes a table into a documentation page, between `<!-- bench:NAME ... -->` and
 * `<!-- /bench:NAME -->`, as a Markdown table with when, where and by what command it was
 * measured: the published figures are always the ones a bench printed. A page without the
 * markers is left alone (said on stderr).
 */
export function publishTable(page: string, name: string, command: string, header: string[], rows: Array<Array<string | number>>): void {
  // Under bench:compare the tables go to its file, as JSON lines, and the page stays as it is.
  const collect = process.env.SYGRA_BENCH_TABLES;
  if (collect) {
    appendFileSync(collect, `${JSON.stringify({ name, header, rows })}\n`);
    return;
  }
  const text = readFileSync(page, 'utf8');
  const open = new RegExp(`<!-- bench:${name}[^>]*-->`);
  const close = `<!-- /bench:${name} -->`;
  const start = text.search(open);
  const end = text.indexOf(close);
  if (start === -1 || end < start) {
    console.error(`(no bench:${name} markers in ${page}: table not published)`);
    return;
  }
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? format(c) : String(c).replaceAll('|', '\\|'))));
  const table = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...cells.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const when = `Measured ${new Date().toISOString().slice(0, 10)} by \`${command}\` on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}.`;
  const openTag = text.slice(start, text.indexOf('-->', start) + 3);
  writeFileSync(page, `${text.slice(0, start)}${openTag}\n\n${table}\n\n${when}\n\n${text.slice(end)}`);
}

function format(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/** docs/performance.md, where the benchmarks publish their tables. */
const PERFORMANCE_PAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'performance.md');

/**
 * Publishes a table into docs/performance.md between its `bench:NAME` markers, but only
 * when the benchmark ran as documented (no options), so a quick trial never overwrites
 * the published figures.
 */
export function publish(name: string, command: string, header: string[], rows: Array<Array<string | number>>): void {
  if (process.argv.length > 2) {
    console.error(`(run with options: the bench:${name} table is not published)`);
    return;
  }
  publishTable(PERFORMANCE_PAGE, name, command, header, rows);
}

/** A numeric command-line option of a benchmark: `--name N`, else the fallback. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
