// npm run bench:long-line — one record of 50 MB on a single line, read from a file and
// through a pipe (64 KB pieces), against jq on the same input in the same run.
// Options: --mb N (default 50), --runs K (best of K, default 3).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, measure, printTable, publish, type Measurement, benchCli } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = benchCli();
const mb = arg('mb', 50);
const runs = arg('runs', 3);
const dataDir = join(root, 'bench-data');
await mkdir(dataDir, { recursive: true });
const input = join(dataDir, `long-line-${mb}mb.jsonl`);
const graph = join(dataDir, 'keep-all.yaml');
await writeFile(input, `{"id":1,"text":"${'lorem ipsum '.repeat(Math.ceil((mb * 1024 * 1024) / 12))}"}\n{"id":2,"text":"short"}\n`);
await writeFile(graph, 'nodes:\n  keep:\n    type: filter\n    when: "record.id > 0"\n');
const hasJq = spawnSync('jq', ['--version']).status === 0;

/** Best of `runs`: the command with stdin from the file, or through `cat |` (a pipe). */
async function best(command: string, pipe: boolean): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    const m = pipe ? await measure(['sh', '-c', `cat '${input}' | ${command}`], '/dev/null') : await measure(['sh', '-c', command], input);
    if (m.exitCode !== 0) throw new Error(`${command} exited ${m.exitCode}`);
    all.push(m);
  }
  return all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const ours = `'${process.execPath}' '${cli}' run '${graph}' -q`;
const rows: Array<Array<string | number>> = [];
for (const pipe of [false, true]) {
  const how = pipe ? 'through a pipe' : 'from a file';
  const jq = hasJq ? await best('jq -c .', pipe) : null;
  const m = await best(ours, pipe);
  rows.push([`sygra-stream run, ${how}`, m.seconds, jq ? jq.seconds : 'n/a', jq ? m.seconds / jq.seconds : 'n/a']);
}
console.log(`\nlong-line benchmark: one ${mb} MB line and one short one, best of ${runs}\n`);
const header = ['run', 'seconds', 'jq seconds', '÷ jq'];
printTable(header, rows);
publish('long-line', 'npm run bench:long-line', header, rows);
