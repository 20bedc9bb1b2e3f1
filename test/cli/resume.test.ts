import t from 'tap';
import { readFile, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { lines, runCli, startCli } from '../cli-process.js';
import { whenInDir } from '../wait-for.js';
import { startMockServer } from '../mock-server-process.js';

// Every 17th record fails, every 5th is filtered, a third have no id field (known by their line's hash).
const SLOW = `export default async (r) => {
  await new Promise((ok) => setTimeout(ok, 1 + (r.n % 3)));
  if (r.n % 17 === 0) throw new Error('bad ' + r.n);
  return r.n % 5 === 0 ? null : { ...r, done: true };
};
`;
const input = Array.from({ length: 1500 }, (_, n) => JSON.stringify(n % 3 === 0 ? { n, text: `t${n}` } : { id: `r${n}`, n }) + '\n').join('');
const files = (prefix: string) => ['-o', `${prefix}out.jsonl`, '--errors', `${prefix}err.jsonl`, '--rejected', `${prefix}rej.jsonl`];

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

for (const ordered of [true, false]) {
  t.test(`kill -9 at random points, resume until done: ${ordered ? 'byte-identical to' : 'the same set as'} an uninterrupted run`, async (t) => {
    const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': 'nodes:\n  slow: { type: code, module: ./slow.mjs, concurrency: 8 }\n', 'in.jsonl': input });
    const extra = ordered ? [] : ['--unordered'];
    const whole = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files('whole-'), '--resume', '-q', ...extra], { cwd: dir });
    t.equal(whole.code, 0, whole.stderr);
    const read = async (f: string) => readFile(join(dir, f), 'utf8');

    for (const seed of [1, 2, 3]) {
      const rand = seeded(seed * 7919);
      const prefix = `s${seed}-`;
      let kills = 0;
      for (let attempt = 0; attempt < 30; attempt++) {
        const child = startCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files(prefix), '--resume', '-q', '--stats', `${prefix}stats.json`, ...extra], { cwd: dir });
        child.stdin!.end();
        const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
        // The first attempts are killed once the output has grown by a random number of
        // records: wherever the run happens to be, however fast the machine is.
        const gone = new AbortController();
        if (attempt < 4) {
          const target = linesIn(join(dir, `${prefix}out.jsonl`)) + 20 + Math.floor(rand() * 300);
          void whenInDir(dir, () => linesIn(join(dir, `${prefix}out.jsonl`)) >= target, gone.signal).then(() => {
            if (!gone.signal.aborted) child.kill('SIGKILL');
          });
        }
        const code = await exited;
        gone.abort();
        if (code === 0) break;
        kills++;
      }
      t.ok(kills >= 1, `seed ${seed}: killed ${kills} times before it finished`);
      const out = await read(`${prefix}out.jsonl`);
      const ids = lines(out).map((r) => r.id as string);
      t.equal(new Set(ids).size, ids.length, 'no id twice in the output');
      const done = [...ids, ...lines(await read(`${prefix}err.jsonl`)).map((e) => e.id), ...lines(await read(`${prefix}rej.jsonl`)).map((e) => e.id)];
      t.equal(done.length, 1500, 'every input record is output, an error or rejected');
      t.equal(new Set(done).size, 1500, 'exactly once');
      if (ordered) {
        t.equal(out, await read('whole-out.jsonl'), 'output byte-identical to the uninterrupted run');
        t.equal(await read(`${prefix}err.jsonl`), await read('whole-err.jsonl'));
      } else {
        t.same(out.split('\n').sort(), (await read('whole-out.jsonl')).split('\n').sort(), 'the same lines');
      }
      const stats = JSON.parse(await read(`${prefix}stats.json`)) as { conserved: boolean; skipped: number; records_in: number };
      t.equal(stats.conserved, true);
      t.equal(stats.records_in, 1500);
    }
  });
}

t.test('records that share an id resume by occurrence: killed and resumed, the output is that of an uninterrupted run', async (t) => {
  // 1,200 records, every id used four times (the same question asked again, say).
  const repeated = Array.from({ length: 1200 }, (_, n) => JSON.stringify({ id: `q${n % 300}`, n }) + '\n').join('');
  const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': 'nodes:\n  slow: { type: code, module: ./slow.mjs, concurrency: 8 }\n', 'in.jsonl': repeated });
  const whole = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files('whole-'), '--resume', '-q'], { cwd: dir });
  t.equal(whole.code, 0, whole.stderr);
  let kills = 0;
  let stderr = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const child = startCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files('r-'), '--resume'], { cwd: dir });
    child.stdin!.end();
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    const gone = new AbortController();
    if (attempt < 2) {
      const target = linesIn(join(dir, 'r-out.jsonl')) + 200 + attempt * 150;
      void whenInDir(dir, () => linesIn(join(dir, 'r-out.jsonl')) >= target, gone.signal).then(() => {
        if (!gone.signal.aborted) child.kill('SIGKILL');
      });
    }
    const code = await exited;
    gone.abort();
    if (code === 0) break;
    kills++;
  }
  t.ok(kills >= 1, `killed ${kills} times before it finished`);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  t.equal(read('r-out.jsonl'), read('whole-out.jsonl'), 'output byte-identical: no second copy dropped, none written twice');
  t.equal(read('r-err.jsonl'), read('whole-err.jsonl'));
  t.equal(read('r-rej.jsonl'), read('whole-rej.jsonl'));
  t.match(stderr, /resume: \d+ input records repeat an earlier record's id; each is known by its id and occurrence/);
});

t.test('shared ids, fan-out and --unordered together: killed at random and resumed, every record exactly once', async (t) => {
  // Even records become two (a fan-out); each id is used five times; the slow node
  // finishes records out of order, so copies and children reach the output interleaved.
  const split = 'export default (r) => (r.n % 2 === 0 ? [r, { ...r, child: 2 }] : r);\n';
  const shared = Array.from({ length: 1000 }, (_, n) => JSON.stringify({ id: `q${n % 200}`, n }) + '\n').join('');
  const graph =
    'nodes:\n  split: { type: code, module: ./split.mjs }\n  slow: { type: code, module: ./slow.mjs, concurrency: 16 }\nedges:\n  - { from: START, to: split }\n  - { from: split, to: slow }\n  - { from: slow, to: END }\n';
  const dir = t.testdir({ 'slow.mjs': SLOW, 'split.mjs': split, 'g.yaml': graph, 'in.jsonl': shared });
  const whole = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files('whole-'), '--resume', '--unordered', '-q'], { cwd: dir });
  t.equal(whole.code, 0, whole.stderr);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const sorted = (f: string) => read(f).split('\n').sort();
  const rand = seeded(4242);
  let kills = 0;
  for (let attempt = 0; attempt < 30; attempt++) {
    const child = startCli(['run', 'g.yaml', '-i', 'in.jsonl', ...files('r-'), '--resume', '--unordered', '-q'], { cwd: dir });
    child.stdin!.end();
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    const gone = new AbortController();
    if (attempt < 5) {
      const target = linesIn(join(dir, 'r-out.jsonl')) + 10 + Math.floor(rand() * 150);
      void whenInDir(dir, () => linesIn(join(dir, 'r-out.jsonl')) >= target, gone.signal).then(() => {
        if (!gone.signal.aborted) child.kill('SIGKILL');
      });
    }
    const code = await exited;
    gone.abort();
    if (code === 0) break;
    kills++;
  }
  t.ok(kills >= 1, `killed ${kills} times before it finished`);
  t.same(sorted('r-out.jsonl'), sorted('whole-out.jsonl'), 'the output holds the lines of an uninterrupted run, each once');
  t.same(sorted('r-err.jsonl'), sorted('whole-err.jsonl'));
  t.same(sorted('r-rej.jsonl'), sorted('whole-rej.jsonl'));
});

t.test('a torn last line is cut off and redone; a damaged line in the middle stops the resume', async (t) => {
  const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': 'nodes:\n  slow: { type: code, module: ./slow.mjs }\n', 'in.jsonl': input.split('\n').slice(0, 20).join('\n') + '\n' });
  const first = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--resume'], { cwd: dir });
  t.equal(first.code, 0, first.stderr);
  const full = await readFile(join(dir, 'out.jsonl'), 'utf8');
  const kept = full.split('\n').slice(0, 5).join('\n') + '\n';
  await writeFile(join(dir, 'out.jsonl'), kept + full.split('\n')[5]!.slice(0, 10));
  const again = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--resume', '--stats', 'st.json'], { cwd: dir });
  t.equal(again.code, 0, again.stderr);
  t.equal(await readFile(join(dir, 'out.jsonl'), 'utf8'), full, 'the torn line was cut and its record written again');
  t.match(again.stderr, /resumed: 20 in, \d+ out, \d+ filtered, \d+ errors, 5 done before/);

  t.ok(readFileSync(join(dir, 'out.jsonl.resume'), 'utf8').startsWith('{"sygra_resume":1'), 'the journal sits beside the output');
  const replaced = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'other.jsonl', '--resume'], { cwd: dir });
  t.equal(replaced.code, 0, replaced.stderr);
  const plain = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'other.jsonl'], { cwd: dir });
  t.equal(plain.code, 0, plain.stderr);
  t.throws(() => readFileSync(join(dir, 'other.jsonl.resume')), 'a run that replaced the output took the journal of the old one away');

  await appendFile(join(dir, 'out.jsonl'), 'not json\n{"id":"r1"}\n');
  const damaged = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--resume'], { cwd: dir });
  t.equal(damaged.code, 1);
  t.match(damaged.stderr, /cannot resume: out\.jsonl:\d+: not a JSON line/);
});

t.test('--retry-errors does failed records again; usage mistakes are exit 2', async (t) => {
  const flaky = 'export default (r) => { if (r.n === 3 && !process.env.FIXED) throw new Error("flaky"); return r; };\n';
  const dir = t.testdir({ 'f.mjs': flaky, 'g.yaml': 'nodes:\n  f: { type: code, module: ./f.mjs }\n', 'in.jsonl': [1, 2, 3, 4].map((n) => JSON.stringify({ id: n, n })).join('\n') + '\n' });
  const args = ['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--errors', 'err.jsonl', '--resume'];
  t.equal((await runCli(args, { cwd: dir })).code, 0);
  t.same(
    lines(await readFile(join(dir, 'err.jsonl'), 'utf8')).map((e) => [e.id, e.error]),
    [['3', 'flaky']],
  );
  const still = await runCli(args, { cwd: dir, env: { FIXED: '1' } });
  t.match(still.stderr, /resumed: 4 in, 0 out, 0 filtered, 0 errors, 4 done before/, 'without --retry-errors the failed record counts as done');
  t.equal(lines(await readFile(join(dir, 'out.jsonl'), 'utf8')).length, 3);
  const retried = await runCli([...args, '--retry-errors'], { cwd: dir, env: { FIXED: '1' } });
  t.equal(retried.code, 0, retried.stderr);
  t.same(
    lines(await readFile(join(dir, 'out.jsonl'), 'utf8')).map((r) => r.n),
    [1, 2, 4, 3],
  );
  t.equal(await readFile(join(dir, 'err.jsonl'), 'utf8'), '', 'the errors file started afresh');

  const noOutput = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--resume'], { cwd: dir });
  t.equal(noOutput.code, 2);
  t.match(noOutput.stderr, /--resume needs --output FILE/);
  const stray = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--retry-errors'], { cwd: dir });
  t.equal(stray.code, 2);
  t.match(stray.stderr, /--retry-errors only applies with --resume/);
});

t.test('with the LLM cache, a resumed run pays again only for requests that were in flight', async (t) => {
  const server = await startMockServer(['--latency-ms', '20']);
  t.teardown(() => server.stop());
  const graph = `models:\n  m: { base_url: ${server.url}, concurrency: 4 }\nnodes:\n  ask:\n    type: llm\n    messages: [ { role: user, content: "{q}" } ]\n`;
  const dir = t.testdir({ 'g.yaml': graph, 'in.jsonl': Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, q: `question ${i}` })).join('\n') + '\n' });
  const child = startCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--resume', '-q'], { cwd: dir });
  child.stdin!.end();
  // Kill once some records are written, however slow the machine is to start.
  await whenInDir(dir, () => {
    try {
      return readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').length > 20;
    } catch {
      return false;
    }
  });
  child.kill('SIGKILL');
  await new Promise((ok) => child.on('exit', ok));
  const before = lines(await readFile(join(dir, 'out.jsonl'), 'utf8').catch(() => '')).length;
  t.ok(before > 0 && before < 300, `${before} records written before the kill`);
  const rest = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--resume', '-q'], { cwd: dir });
  t.equal(rest.code, 0, rest.stderr);
  t.equal(lines(await readFile(join(dir, 'out.jsonl'), 'utf8')).length, 300);
  const requests = (await server.stats()).chat_requests!;
  t.ok(requests >= 300 && requests <= 300 + 4, `${requests} requests for 300 prompts with 4 in flight at the kill`);
});

/** Lines in a file so far (0 while it does not exist). */
function linesIn(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}
