import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CLI, collect, lines, ndjson, runCli, startCli } from '../cli-process.js';
import { allNodeTypes } from '../../lib/nodes/registry.js';

const nodeTypes = await allNodeTypes();

/** A graph with one async code node; `steps.js` decides how each record behaves. */
function asyncDir(t: Test, steps: string, concurrency = 8): string {
  return t.testdir({
    'graph.yaml': `nodes:\n  step:\n    type: code\n    module: ./steps.js\n    export: step\n    concurrency: ${concurrency}\n`,
    'steps.js': steps,
  });
}

// Record 0 is held until ten other records have completed: a deterministic straggler.
const straggler = [
  'let completed = 0;',
  'let release;',
  'const gate = new Promise((r) => (release = r));',
  'export async function step(record) {',
  '  if (record.n === 0) await gate;',
  '  else if (++completed === 10) release();',
  '  return { ...record, done: true };',
  '}',
  '',
].join('\n');

t.test('ordered by default: a slow record holds its place', async (t) => {
  const dir = asyncDir(t, straggler);
  const res = await runCli(['run', 'graph.yaml'], { cwd: dir, input: ndjson(Array.from({ length: 40 }, (_, n) => ({ n }))) });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => r.n),
    Array.from({ length: 40 }, (_, n) => n),
  );
});

t.test('--unordered lets fast records pass a slow one', async (t) => {
  const dir = asyncDir(t, straggler);
  const res = await runCli(['run', 'graph.yaml', '--unordered'], { cwd: dir, input: ndjson(Array.from({ length: 40 }, (_, n) => ({ n }))) });
  t.equal(res.code, 0, res.stderr);
  const order = lines(res.stdout).map((r) => r.n as number);
  t.same(
    [...order].sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, n) => n),
    'every record once',
  );
  t.ok(order.indexOf(0) >= 10, `record 0 came out after at least ten others (position ${order.indexOf(0)})`);
});

t.test('async nodes never run more than `concurrency` records at once', async (t) => {
  const dir = asyncDir(
    t,
    [
      'let active = 0, peak = 0;',
      'export async function step(record) {',
      '  peak = Math.max(peak, ++active);',
      '  await new Promise((r) => setImmediate(r));',
      '  active--;',
      '  return { ...record, peak };',
      '}',
      '',
    ].join('\n'),
    3,
  );
  const res = await runCli(['run', 'graph.yaml'], { cwd: dir, input: ndjson(Array.from({ length: 500 }, (_, n) => ({ n }))) });
  const peaks = lines(res.stdout).map((r) => r.peak as number);
  t.equal(peaks.length, 500);
  t.equal(Math.max(...peaks), 3);
});

t.test('`| head -1` closing stdout early exits 0 without a stack trace', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  all:\n    type: map\n    set: { seen: "true" }\n' });
  await writeFile(join(dir, 'big.jsonl'), ndjson(Array.from({ length: 200000 }, (_, n) => ({ n, pad: 'p'.repeat(40) }))));
  const script = `node ${JSON.stringify(CLI)} run graph.yaml -i big.jsonl 2>err.txt | head -1; echo "\${PIPESTATUS[0]}" > code.txt`;
  const child = spawn('bash', ['-c', script], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await once(child, 'close');
  t.same(lines(out), [{ n: 0, pad: 'p'.repeat(40), seen: true }]);
  t.equal((await readFile(join(dir, 'code.txt'), 'utf8')).trim(), '0');
  t.equal(await readFile(join(dir, 'err.txt'), 'utf8'), '', 'nothing on stderr');
});

t.test('SIGINT stops reading, flushes records in flight, writes stats, exits 130', async (t) => {
  const dir = asyncDir(t, 'export async function step(r) { await new Promise((ok) => setTimeout(ok, 5)); return r }\n', 4);
  const child = startCli(['run', 'graph.yaml', '--stats', 'stats.json', '--output', 'out.jsonl', '--progress'], { cwd: dir });
  // stdin stays open: the run must stop although more input could come.
  child.stdin!.write(ndjson(Array.from({ length: 20000 }, (_, n) => ({ n, pad: 'x'.repeat(100) }))));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    // The first progress line means records are moving: interrupt then.
    if (/in \d+/.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  t.equal(code, 130, stderr);
  t.match(stderr, /interrupted: \d+ in, \d+ out/);
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as Record<string, number | boolean>;
  t.match(stats, { interrupted: true, conserved: true, errors: 0 });
  t.ok((stats.records_in as number) < 20000, `stopped reading before the end (${stats.records_in} read)`);
  const out = lines(await readFile(join(dir, 'out.jsonl'), 'utf8'));
  t.equal(out.length, stats.records_out, 'every record taken in was written out');
  t.same(
    out.map((r) => r.n),
    Array.from({ length: out.length }, (_, n) => n),
  );
});

t.test('SIGTERM is handled as a first Ctrl-C: records in flight finish, output and stats are written, no temporary file stays', async (t) => {
  const dir = asyncDir(t, 'export async function step(r) { await new Promise((ok) => setTimeout(ok, 5)); return r }\n', 4);
  const child = startCli(['run', 'graph.yaml', '--stats', 'stats.json', '--output', 'out.jsonl', '--errors', 'errors.jsonl', '--progress'], { cwd: dir });
  child.stdin!.write(ndjson(Array.from({ length: 20000 }, (_, n) => ({ n }))));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (/in \d+/.test(stderr) && !child.killed) child.kill('SIGTERM');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  t.equal(code, 130, stderr);
  t.match(stderr, /terminated: finishing records in flight \(at most 10 s\)/);
  t.match(stderr, /interrupted: \d+ in, \d+ out/);
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as Record<string, number | boolean>;
  t.match(stats, { interrupted: true, conserved: true });
  const out = lines(await readFile(join(dir, 'out.jsonl'), 'utf8'));
  t.equal(out.length, stats.records_out, 'every record taken in was written out');
  t.same(
    (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
});

t.test('a slow consumer holds the pipeline back: records in flight stay bounded', async (t) => {
  const dir = asyncDir(t, 'export async function step(r) { return r.n % 3 ? r : { ...r, three: true } }\n', 8);
  const count = 200_000;
  const child = startCli(['run', 'graph.yaml', '--stats', 'stats.json'], { cwd: dir });
  let received = 0;
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      received += chunk.length;
      setTimeout(done, 2);
    },
  });
  child.stdout!.pipe(slow);
  child.stderr!.resume();
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(ndjson(Array.from({ length: count }, (_, n) => ({ n, pad: 'x'.repeat(60) }))));
  const [code] = (await once(child, 'close')) as [number | null];
  t.equal(code, 0);
  t.ok(received > count * 60, 'all output arrived');
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { peak_in_flight: number; records_out: number };
  t.equal(stats.records_out, count);
  // A batch is one 64 KiB read (about 800 of these records); a few batches plus the
  // async window may be held, never a sizeable part of the input.
  t.ok(stats.peak_in_flight < 5000, `peak in flight ${stats.peak_in_flight} of ${count}`);
});

t.test('graph renders as Mermaid and DOT', async (t) => {
  const mermaid = await runCli(['graph', 'fixtures/graphs/filter.yaml']);
  t.equal(mermaid.code, 0);
  t.equal(
    mermaid.stdout,
    [
      'flowchart LR',
      '  START([START])',
      '  END([END])',
      '  long_prompts["long_prompts<br/><small>filter</small>"]',
      '  add_len["add_len<br/><small>map</small>"]',
      '  normalize["normalize<br/><small>code</small>"]',
      '  START --> long_prompts',
      '  long_prompts --> add_len',
      '  add_len --> normalize',
      '  normalize --> END',
      '',
    ].join('\n'),
  );
  const dot = await runCli(['graph', 'fixtures/graphs/filter.yaml', '--format', 'dot']);
  t.match(dot.stdout, /^digraph sygra \{\n {2}rankdir=LR;/);
  t.match(dot.stdout, /"long_prompts" -> "add_len";/);
  t.match(dot.stdout, /"normalize" -> "END";\n\}\n$/);
});

t.test('validate says ok or lists problems with exit 2', async (t) => {
  const ok = await runCli(['validate', 'fixtures/graphs/filter.yaml']);
  t.equal(ok.code, 0);
  t.match(ok.stdout, /^ok: fixtures\/graphs\/filter\.yaml \(3 nodes\)/);
  const dir = t.testdir({ 'g.yaml': 'nodes:\n  a: { type: nope }\n  b: { type: filter, when: "(" }\n' });
  const bad = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^g\.yaml:2:14 nodes\.a\.type: unknown node type "nope".*\ng\.yaml:3:28 nodes\.b\.when: expression does not compile.*\nsygra-stream: 2 problems in g\.yaml\n$/);
});

t.test('schema prints a JSON Schema that covers every node type', async (t) => {
  const res = await runCli(['schema']);
  const schema = JSON.parse(res.stdout) as { properties: { nodes: { patternProperties: Record<string, { anyOf: Array<{ title: string }> }> } } };
  const variants = Object.values(schema.properties.nodes.patternProperties)[0]!.anyOf.map((s) => s.title);
  t.same(variants, [...nodeTypes.keys()]);
  t.ok(variants.includes('llm'));
});

t.test('stdin can be closed with no input at all', async (t) => {
  const child = startCli(['run', 'fixtures/graphs/filter.yaml']);
  const res = await collect(child);
  t.equal(res.code, 0);
  t.equal(res.stdout, '');
});

t.test('--max-line-mb: a longer line is an error record with its line number, and the next line is read', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  keep:\n    type: filter\n    when: "true"\n' });
  const input = `{"n":1}\n{"text":"${'x'.repeat(1.5 * 1024 * 1024)}"}\n{"n":3}\n`;
  const r = await runCli(['run', join(dir, 'graph.yaml'), '--max-line-mb', '1', '--errors', join(dir, 'errors.jsonl'), '-q'], { input });
  t.equal(r.code, 0, r.stderr);
  t.same(lines(r.stdout), [{ n: 1 }, { n: 3 }]);
  const errors = lines(await readFile(join(dir, 'errors.jsonl'), 'utf8'));
  t.match(errors, [{ line: 2, error: 'line longer than 1 MiB (--max-line-mb)' }]);
  const bad = await runCli(['run', join(dir, 'graph.yaml'), '--max-line-mb', '0']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--max-line-mb takes a size in MiB, more than 0/);
});
