import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { feed, lines, runCli } from '../cli-process.js';

// Sync nodes only: quality rules that filter, a code node that fails some records, a map.
const FILTERING = `nodes:
  rules:
    type: quality_rules
    mode: filter
    stats: false
    rules: { word_count: { min: 5 }, truncated: false, stop_words: false, alpha_words: false }
  check: { type: code, module: ./check.mjs }
  tag:
    type: map
    set: { words: "record.quality.rules.word_count.value" }
`;
const CHECK = `export default function check(record) {
  if (record.id % 97 === 5) throw new Error('id ' + record.id + ' is unlucky');
  return record;
}
`;
// Tagging only: records keep their input bytes, with quality appended.
const TAGGING = `nodes:
  rules: { type: quality_rules, stats: false }
`;

/** Enough records for many batches, and every kind of line a run must account for. */
function input(): Buffer {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
  const parts: Array<string | Buffer> = [];
  for (let i = 0; i < 3000; i++) {
    const n = 2 + (i % 9);
    const reply = Array.from({ length: n }, (_, k) => words[(i + k * 7) % words.length]).join(' ') + (i % 3 ? '.' : '');
    const record =
      i % 211 === 7
        ? { id: i, text: 'no messages here' }
        : {
            id: i,
            messages: [
              { role: 'user', content: `Question ${i}, caf\u00e9?` },
              { role: 'assistant', content: reply },
            ],
          };
    // Some lines keep escapes JSON.stringify would not write, to show they are kept as they came.
    parts.push(i % 5 === 0 ? JSON.stringify(record).replace('caf\u00e9', 'caf\\u00e9') + '\n' : JSON.stringify(record) + '\n');
    if (i === 100) parts.push('{"id": "broken",\n');
    if (i === 200) parts.push('\n   \n');
    if (i === 300) parts.push('[1, 2]\n');
    if (i === 400) parts.push(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
    if (i === 500)
      parts.push(
        JSON.stringify({
          id: 'crlf',
          messages: [
            { role: 'user', content: 'a b c d e' },
            { role: 'assistant', content: 'one two three four five six.' },
          ],
        }) + '\r\n',
      );
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

async function run(dir: string, graph: string, threads: number, extra: string[] = []) {
  const tag = `${graph}-${threads}${extra.join('')}`;
  const files = { errors: join(dir, `${tag}.errors`), rejected: join(dir, `${tag}.rejected`), stats: join(dir, `${tag}.stats`) };
  const res = await runCli([
    'run',
    join(dir, graph),
    '-q',
    '-i',
    join(dir, 'in.jsonl'),
    '--threads',
    String(threads),
    '--errors',
    files.errors,
    '--rejected',
    files.rejected,
    '--stats',
    files.stats,
    ...extra,
  ]);
  const read = (p: string): string => readFileSync(p, 'utf8');
  return { ...res, errors: read(files.errors), rejected: read(files.rejected), stats: JSON.parse(read(files.stats)) as Record<string, unknown> };
}

/** What must not depend on the number of threads: every count, per node too (times aside). */
function counts(stats: Record<string, unknown>) {
  const nodes = stats.nodes as Record<string, Record<string, unknown>>;
  return {
    records: [stats.records_in, stats.records_out, stats.filtered, stats.errors, stats.conserved],
    nodes: Object.fromEntries(Object.entries(nodes).map(([n, s]) => [n, [s.in, s.out, s.filtered, s.errors]])),
  };
}

t.test('--threads 2 writes what one thread writes, byte for byte, with the same side files and counts', async (t) => {
  const dir = t.testdir({ 'filtering.yaml': FILTERING, 'tagging.yaml': TAGGING, 'check.mjs': CHECK, 'in.jsonl': input() });
  for (const graph of ['filtering.yaml', 'tagging.yaml']) {
    const one = await run(dir, graph, 1);
    const two = await run(dir, graph, 2);
    t.equal(one.code, 0, `${graph}: one thread`);
    t.equal(two.code, 0, `${graph}: two threads`);
    t.ok(one.stdout.length > 100_000, `${graph}: enough output for many batches`);
    t.equal(two.stdout, one.stdout, `${graph}: same output`);
    t.equal(two.errors, one.errors, `${graph}: same errors`);
    t.equal(two.rejected, one.rejected, `${graph}: same rejected`);
    t.same(counts(two.stats), counts(one.stats), `${graph}: same counts`);
    t.equal(two.stats.conserved, true);
  }
  // Without --errors and --rejected the threads send no record back for them; the counts stay.
  const bare = await runCli(['run', join(dir, 'filtering.yaml'), '-q', '-i', join(dir, 'in.jsonl'), '--threads', '2', '--stats', join(dir, 'bare.stats')]);
  const oneThread = await run(dir, 'filtering.yaml', 1);
  t.equal(bare.stdout, oneThread.stdout, 'no side files: same output');
  t.same(counts(JSON.parse(readFileSync(join(dir, 'bare.stats'), 'utf8')) as Record<string, unknown>), counts(oneThread.stats), 'no side files: same counts');
  const filtering = await run(dir, 'filtering.yaml', 2);
  const errors = lines(filtering.errors);
  t.ok(
    errors.some((e) => e.node === 'check' && String(e.error).includes('unlucky')),
    'a node error from a worker names its node',
  );
  t.ok(
    errors.some((e) => e.node === null && String(e.error).startsWith('malformed JSON')),
    'a malformed line is reported with its line',
  );
  t.ok(errors.some((e) => String(e.error) === 'invalid UTF-8 byte sequence'));
  t.ok(
    lines(filtering.rejected).some((r) => r.node === 'rules'),
    'records failing a rule are rejected',
  );
});

const WHERE = "import { threadId } from 'node:worker_threads';\nexport default (record) => ({ ...record, thread: threadId });\n";

t.test('--threads N runs the graph on the main thread and N - 1 workers', async (t) => {
  const dir = t.testdir({ 'where.mjs': WHERE, 'g.yaml': 'nodes:\n  where: { type: code, module: ./where.mjs }\n' });
  const record = (i: number): string => JSON.stringify({ id: i, text: `record ${i} `.repeat(8) }) + '\n';
  for (const threads of [2, 3]) {
    const run = feed(['run', join(dir, 'g.yaml'), '-q', '--threads', String(threads)]);
    // One record at a time until every worker has run one: the main thread runs those sent
    // while the workers load the graph, then the workers take turns.
    const ran = new Set<unknown>();
    let sent = 0;
    while (ran.size < threads && sent < 20_000) {
      run.write(record(sent++));
      const printed = await run.until((out) => out.split('\n').length > sent);
      if (!printed) break;
      ran.clear();
      for (const r of lines(await run.printed())) ran.add(r.thread);
    }
    // Then many at once: the workers take two batches each and the main thread the rest.
    let rest = '';
    for (let i = sent; i < sent + 20_000; i++) rest += record(i);
    const res = await run.end(rest);
    t.equal(res.code, 0, res.stderr);
    const out = lines(res.stdout);
    t.same(
      out.map((r) => r.id),
      Array.from({ length: sent + 20_000 }, (_, i) => i),
      `${threads} threads: every record, in input order`,
    );
    const threadsSeen = new Set(out.map((r) => r.thread));
    t.ok(threadsSeen.has(0), `${threads} threads: the main thread ran some batches`);
    t.equal(threadsSeen.size, threads, `${threads} threads: each of the ${threads} threads ran some (${[...threadsSeen].join(', ')})`);
  }
});

t.test('a worker gets batches only once it has loaded the graph: until then the main thread runs them', async (t) => {
  const dir = t.testdir({ 'where.mjs': WHERE, 'g.yaml': 'nodes:\n  where: { type: code, module: ./where.mjs }\n' });
  // A small input, there at once: the main thread runs it all while the worker loads the
  // graph, and the run does not wait for the worker to be up.
  const input = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i })).join('\n') + '\n';
  const res = await runCli(['run', join(dir, 'g.yaml'), '-q', '--threads', '2'], { input });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => [r.id, r.thread]),
    Array.from({ length: 50 }, (_, i) => [i, 0]),
  );
});

t.test('--threads passes a line larger than a job buffer through a worker unchanged', async (t) => {
  // The node notes on stderr which thread saw each record, and passes it on as it came.
  const dir = t.testdir({
    'note.mjs': "import { threadId } from 'node:worker_threads';\nexport default (record) => { process.stderr.write('thread ' + threadId + ' saw ' + record.id + '\\n'); return record; };\n",
    'g.yaml': 'nodes:\n  note: { type: code, module: ./note.mjs }\n',
  });
  const run = feed(['run', join(dir, 'g.yaml'), '-q', '--threads', '2']);
  const seenBy = (err: string, id: number): string | undefined => new RegExp(`^thread (\\d+) saw ${id}$`, 'm').exec(err)?.[1];
  let input = '';
  let sent = 0;
  // Short records one at a time until a worker is up and has run one.
  let by: string | undefined = '0';
  while (by === '0' && sent < 20_000) {
    const id = sent++;
    const line = JSON.stringify({ id, text: `short ${id}` }) + '\n';
    input += line;
    run.write(line);
    if (!(await run.until((_out, err) => seenBy(err, id) !== undefined))) break;
    by = seenBy(await run.printedErr(), id);
  }
  t.not(by, '0', `a worker ran record ${sent - 1}, after the main thread ran the first ${sent - 1}`);
  // The worker holds fewer than two batches: the next, a 1.5 MB line, goes to it and fills a
  // shared buffer made to its size; the record comes back as a copy of those bytes.
  const huge = JSON.stringify({ id: -1, text: 'x'.repeat(1_500_000) }) + '\n';
  let rest = huge;
  for (let i = 0; i < 200; i++) rest += JSON.stringify({ id: sent + i, text: `short ${i}` }) + '\n';
  input += rest;
  const res = await run.end(rest);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, input, 'every byte, in order');
  t.not(seenBy(res.stderr, -1), '0', `a worker ran the long line (thread ${seenBy(res.stderr, -1)})`);
});

t.test('--threads with --unordered writes the same records', async (t) => {
  const dir = t.testdir({ 'tagging.yaml': TAGGING, 'in.jsonl': input() });
  const ordered = await run(dir, 'tagging.yaml', 1);
  const unordered = await run(dir, 'tagging.yaml', 2, ['--unordered']);
  t.equal(unordered.code, 0);
  t.same(unordered.stdout.split('\n').sort(), ordered.stdout.split('\n').sort());
});

t.test('a tagged record is its input line with quality appended', async (t) => {
  const dir = t.testdir({ 'tagging.yaml': TAGGING, 'in.jsonl': '' });
  const line = '{"id": 1, "messages": [{"role": "user", "content": "caf\\u00e9?"}, {"role": "assistant", "content": "Yes, a caf\\u00e9 it is."}]}';
  const had = '{"id":2,"quality":{"score":8},"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello there, friend."}]}';
  for (const threads of ['1', '2']) {
    const res = await runCli(['run', join(dir, 'tagging.yaml'), '-q', '--threads', threads], { input: `${line}\n${had}\n` });
    const [first, second] = res.stdout.split('\n');
    t.ok(first!.startsWith(line.slice(0, -1) + ',"quality":{"rules":'), `${threads} thread(s): the input bytes are kept, escapes and spaces too`);
    t.equal((lines(first!)[0]!.quality as { rules_passed: boolean }).rules_passed, true);
    const merged = lines(second!)[0]!.quality as Record<string, unknown>;
    t.equal(merged.score, 8, 'a record that had quality gets it merged, not a second key');
    t.equal(second!.split('"quality":').length, 2);
  }
});

t.test('--threads refuses what it cannot split, before reading a record', async (t) => {
  const dir = t.testdir({
    'dedup.yaml': 'nodes:\n  d: { type: dedup, method: exact, field: text }\n',
    'llm.yaml': 'models:\n  m: {}\nnodes:\n  ask:\n    type: llm\n    model: m\n    messages: [{ role: user, content: "{q}" }]\n    output: a\n',
    'ok.yaml': TAGGING,
  });
  const dedup = await runCli(['run', join(dir, 'dedup.yaml'), '--threads', '2'], { input: '{"text":"a"}\n' });
  t.equal(dedup.code, 2);
  t.match(dedup.stderr, /--threads: node "d" compares each record with the ones before it/);
  t.equal(dedup.stdout, '');
  const llm = await runCli(['run', join(dir, 'llm.yaml'), '--threads', '2'], { input: '{"q":"a"}\n' });
  t.equal(llm.code, 2);
  t.match(llm.stderr, /node "ask" is asynchronous/);
  for (const args of [
    ['--threads', '0'],
    ['--threads', '1.5'],
    ['--threads', '2', '--provenance'],
  ]) {
    const res = await runCli(['run', join(dir, 'ok.yaml'), ...args], { input: '' });
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stderr, /--threads/);
  }
});

t.test('a thread that cannot load the graph fails the run with one line, exit 1', async (t) => {
  const dir = t.testdir({
    'm.mjs': "import { isMainThread } from 'node:worker_threads';\nif (!isMainThread) throw new Error('this module refuses worker threads');\nexport default (r) => r;\n",
    'g.yaml': 'nodes:\n  c: { type: code, module: ./m.mjs }\n',
  });
  // The main thread runs what comes while the worker loads the graph; records keep coming,
  // one at a time, until the worker's failure ends the run.
  const run = feed(['run', join(dir, 'g.yaml'), '--threads', '2']);
  let sent = 0;
  while (sent < 100_000) {
    run.write(`{"a":${sent++}}\n`);
    if (!(await run.until((out) => out.split('\n').length > sent))) break;
  }
  const res = await run.end();
  t.equal(res.code, 1);
  t.match(res.stderr, /worker thread failed: .*this module refuses worker threads/);
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  t.same(
    lines(res.stdout).map((r) => r.a),
    Array.from({ length: lines(res.stdout).length }, (_, i) => i),
    'what the main thread ran before the failure, in order',
  );
});

t.test('--threads auto: every core for a heavy node on a big input, one thread otherwise, and says which', async (t) => {
  // Over 8 MB of conversations: big enough for more threads to pay.
  const one = input();
  const big = Buffer.concat(Array.from({ length: Math.ceil((9 * 1024 * 1024) / one.length) }, () => one));
  const dir = t.testdir({ 'tagging.yaml': TAGGING, 'filter.yaml': 'nodes:\n  long: { type: filter, when: "record.id > 3" }\n', 'small.jsonl': one, 'big.jsonl': big });
  const cores = Math.min(availableParallelism(), 8);
  const auto = await runCli(['run', join(dir, 'tagging.yaml'), '-i', join(dir, 'big.jsonl'), '--threads', 'auto', '--stats', join(dir, 'auto.stats')]);
  t.equal(auto.code, 0, auto.stderr);
  if (cores > 1) t.match(auto.stderr, `--threads auto: ${cores} threads (node "rules" (quality_rules) does enough work a record to share it out)`);
  else t.match(auto.stderr, '--threads auto: one thread (one core)');
  const single = await runCli(['run', join(dir, 'tagging.yaml'), '-q', '-i', join(dir, 'big.jsonl')]);
  t.equal(auto.stdout, single.stdout, 'the same output as one thread');

  const says = async (args: string[], why: string) => {
    const res = await runCli(['run', ...args, '--threads', 'auto'], { cwd: dir });
    t.equal(res.code, 0, res.stderr);
    t.match(res.stderr, `--threads auto: one thread (${why})`, why);
  };
  await says(['tagging.yaml', '-i', 'small.jsonl'], 'the input is under 8 MB: done before another thread would start');
  await says(['filter.yaml', '-i', 'big.jsonl'], 'no node does enough work a record to pay for handing records to another thread');
  await says(['tagging.yaml', '-i', 'big.jsonl', '--provenance', '-o', 'p.jsonl'], '--provenance runs on one thread');
  const quiet = await runCli(['run', 'filter.yaml', '-i', 'small.jsonl', '--threads', 'auto', '-q'], { cwd: dir });
  t.equal(quiet.stderr, '', '-q: nothing said');
  const bad = await runCli(['run', 'filter.yaml', '-i', 'small.jsonl', '--threads', 'many'], { cwd: dir });
  t.equal(bad.code, 2);
  t.match(bad.stderr, "--threads takes a whole number of threads (1 or more), or 'auto'");
});

t.test('--threads auto keeps a graph the threads cannot run on one thread, with the reason', async (t) => {
  const dir = t.testdir({
    'dedup.yaml': 'nodes:\n  rules: { type: quality_rules, stats: false }\n  same: { type: dedup, field: id }\n',
    'in.jsonl': input(),
  });
  const res = await runCli(['run', 'dedup.yaml', '-i', 'in.jsonl', '--threads', 'auto'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, '--threads auto: one thread (node "same" compares each record with the ones before it');
});
