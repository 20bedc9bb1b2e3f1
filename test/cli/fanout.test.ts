import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';

// Three branches: `good` always delivers, `picky` filters n = 2, `fragile` fails on n = 3.
const policyGraph = (join: string): string =>
  [
    'nodes:',
    '  prep: { type: map, set: { seen: "true" } }',
    '  good: { type: map, set: { g: "record.n * 2" } }',
    '  picky: { type: filter, when: "record.n != 2" }',
    '  fragile: { type: map, set: { f: "record.n == 3 ? record.nothing.here : record.n * 10" } }',
    '  after: { type: map, set: { after: "true" } }',
    'edges:',
    '  - { from: START, to: prep }',
    '  - { from: prep, to: [good, picky, fragile] }',
    `  - { from: [good, picky, fragile], to: after${join} }`,
    '',
  ].join('\n');

const POLICIES: Array<{ join: string; out: Array<[number, unknown, unknown]>; rejected: number[]; errors: number[] }> = [
  {
    join: '',
    out: [
      [1, 2, 10],
      [4, 8, 40],
    ],
    rejected: [2],
    errors: [3],
  },
  {
    join: ', join: { on_branch_error: drop_branch }',
    out: [
      [1, 2, 10],
      [3, 6, undefined],
      [4, 8, 40],
    ],
    rejected: [2],
    errors: [],
  },
  {
    join: ', join: { on_branch_filtered: keep_others }',
    out: [
      [1, 2, 10],
      [2, 4, 20],
      [4, 8, 40],
    ],
    rejected: [],
    errors: [3],
  },
  {
    join: ', join: { on_branch_error: drop_branch, on_branch_filtered: keep_others }',
    out: [
      [1, 2, 10],
      [2, 4, 20],
      [3, 6, undefined],
      [4, 8, 40],
    ],
    rejected: [],
    errors: [],
  },
];

for (const p of POLICIES) {
  t.test(`a branch that fails, one that filters and one that delivers, join${p.join || ' (defaults)'}`, async (t) => {
    const dir = t.testdir({ 'g.yaml': policyGraph(p.join) });
    const res = await runCli(['run', 'g.yaml', '--rejected', 'r.jsonl', '--errors', 'e.jsonl', '--stats', 's.json'], { cwd: dir, input: ndjson([1, 2, 3, 4].map((n) => ({ n }))) });
    t.equal(res.code, 0, res.stderr);
    const out = lines(res.stdout);
    t.same(
      out.map((r) => [r.n, r.g, r.f]),
      p.out,
    );
    t.ok(
      out.every((r) => r.seen === true && r.after === true),
      'each branch started from the record as it left prep, and the join went on to the next node',
    );
    const rejected = lines(await readFile(join(dir, 'r.jsonl'), 'utf8').catch(() => ''));
    t.same(
      rejected.map((r) => r.line),
      p.rejected,
    );
    for (const r of rejected) t.match(r, { node: 'picky', reason: /^branch "picky": / }, 'the rejected line names the branch and its node');
    const errors = lines(await readFile(join(dir, 'e.jsonl'), 'utf8').catch(() => ''));
    t.same(
      errors.map((r) => r.line),
      p.errors,
    );
    for (const e of errors) t.match(e, { node: 'fragile', error: /^branch "fragile": .*reading 'here'/ }, 'the error names the branch, its node and the cause');
    const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as Record<string, unknown>;
    t.match(stats, {
      records_in: 4,
      records_out: p.out.length,
      filtered: p.rejected.length,
      errors: p.errors.length,
      conserved: true,
      nodes: { prep: { in: 4 }, good: { in: 4, out: 4 }, picky: { in: 4, filtered: 1 }, fragile: { in: 4, errors: 1 }, after: { in: p.out.length } },
      branches: { prep: { good: { in: 4, delivered: 4 }, picky: { in: 4, delivered: 3, filtered: 1 }, fragile: { in: 4, delivered: 3, errors: 1 } } },
    });
  });
}

t.test('merge: deep names the field two branches set differently; merge: branches nests each branch record', async (t) => {
  const graph = (merge: string): string =>
    [
      'nodes:',
      '  a: { type: map, set: { label: "\'a\'", meta.a: "1" } }',
      '  b: { type: map, set: { label: "record.n > 1 ? \'b\' : \'a\'", meta.b: "2" } }',
      'edges:',
      '  - { from: START, to: [a, b] }',
      `  - { from: [a, b], to: END, join: { merge: ${merge} } }`,
      '',
    ].join('\n');
  const dir = t.testdir({ 'deep.yaml': graph('deep'), 'branches.yaml': graph('branches') });
  const deep = await runCli(['run', 'deep.yaml', '--errors', 'e.jsonl'], {
    cwd: dir,
    input: ndjson([
      { n: 1, meta: { src: 'x' } },
      { n: 2, meta: { src: 'y' } },
    ]),
  });
  t.same(lines(deep.stdout), [{ n: 1, meta: { src: 'x', a: 1, b: 2 }, label: 'a' }], 'agreeing branches merge, nested fields too');
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ line: 2, node: 'join after START', error: /branches "a" and "b" set "label" differently/ }]);
  const nested = await runCli(['run', 'branches.yaml'], { cwd: dir, input: ndjson([{ n: 1 }]) });
  t.same(lines(nested.stdout), [{ n: 1, a: { n: 1, label: 'a', meta: { a: 1 } }, b: { n: 1, label: 'a', meta: { b: 2 } } }]);
});

t.test('a join module merges the branches, and may drop the record', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  short: { type: map, set: { text: "record.q.slice(0, 3)" } }',
      '  long: { type: map, set: { text: "record.q + record.q" } }',
      'edges:',
      '  - { from: START, to: [short, long] }',
      '  - { from: [short, long], to: END, join: { merge: { module: ./pick.js, export: longest } } }',
      '',
    ].join('\n'),
    'pick.js': [
      'export async function longest(branches, input) {',
      '  if (input.q === "skip") return null;',
      '  const best = Object.entries(branches).sort((x, y) => y[1].text.length - x[1].text.length)[0];',
      '  return { ...input, text: best[1].text, from: best[0] };',
      '}',
      '',
    ].join('\n'),
  });
  const res = await runCli(['run', 'g.yaml', '--rejected', 'r.jsonl'], { cwd: dir, input: ndjson([{ q: 'abcd' }, { q: 'skip' }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(lines(res.stdout), [{ q: 'abcd', text: 'abcdabcd', from: 'long' }]);
  t.match(lines(await readFile(join(dir, 'r.jsonl'), 'utf8')), [{ line: 2, reason: 'the join module returned null' }]);
});

// The `slow` branch of record 1 settles only after every other record's has: a readiness
// signal inside the run, so the test does not depend on timing.
const SLOW_MODULE = [
  'let others = 0;',
  'let release;',
  'const released = new Promise((resolve) => { release = resolve; });',
  'export async function slow(record) {',
  '  if (record.n === 1) await released;',
  '  else if (++others === 9) release();',
  '  return { ...record, slow: true };',
  '}',
  '',
].join('\n');

t.test('order: input order by default; with --unordered a record waiting on a slow branch holds no other back', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  quick: { type: map, set: { quick: "true" } }',
      '  slow: { type: code, module: ./slow.js, export: slow, concurrency: 16 }',
      'edges:',
      '  - { from: START, to: [quick, slow] }',
      '  - { from: [quick, slow], to: END }',
      '',
    ].join('\n'),
    'slow.js': SLOW_MODULE,
  });
  const input = ndjson(Array.from({ length: 10 }, (_, i) => ({ n: i + 1 })));
  const ordered = await runCli(['run', 'g.yaml'], { cwd: dir, input });
  t.equal(ordered.code, 0, ordered.stderr);
  t.same(
    lines(ordered.stdout).map((r) => r.n),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  t.ok(
    lines(ordered.stdout).every((r) => r.quick === true && r.slow === true),
    'both branches merged',
  );
  const unordered = await runCli(['run', 'g.yaml', '--unordered'], { cwd: dir, input });
  t.same(
    lines(unordered.stdout).map((r) => r.n),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 1],
  );
});

t.test('records waiting in joins are bounded: a long input through an async branch holds a bounded number in flight', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  quick: { type: map, set: { quick: "true" } }',
      '  later: { type: code, module: ./later.js, export: later, concurrency: 8 }',
      'edges:',
      '  - { from: START, to: [quick, later] }',
      '  - { from: [quick, later], to: END }',
      '',
    ].join('\n'),
    'later.js': 'export async function later(record) { await new Promise((resolve) => setImmediate(resolve)); return { ...record, later: true }; }\n',
  });
  const peak = async (n: number): Promise<number> => {
    const res = await runCli(['run', 'g.yaml', '--stats', 's.json'], { cwd: dir, input: ndjson(Array.from({ length: n }, (_, i) => ({ n: i }))) });
    t.equal(res.code, 0, res.stderr);
    t.equal(lines(res.stdout).length, n);
    const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { peak_in_flight: number; conserved: boolean };
    t.equal(stats.conserved, true);
    return stats.peak_in_flight;
  };
  const [small, large] = [await peak(20_000), await peak(80_000)];
  t.ok(large <= small + 256 && large < 20_000, `peak in flight: ${small} records of 20,000, ${large} of 80,000`);
});

t.test('a loop inside a branch goes round per record while the other branch waits at the join', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  draft: { type: map, set: { rounds: "(record.rounds ?? 0) + 1" } }',
      '  check: { type: map, set: { long: "record.rounds >= record.want" } }',
      '  other: { type: map, set: { other: "true" } }',
      '  done: { type: map, set: { done: "true" } }',
      'edges:',
      '  - { from: START, to: [draft, other] }',
      '  - { from: draft, to: check }',
      '  - { from: check, to: draft, max_iterations: 5, until: "record.long" }',
      '  - { from: [check, other], to: done }',
      '',
    ].join('\n'),
  });
  const res = await runCli(['run', 'g.yaml', '--stats', 's.json'], { cwd: dir, input: ndjson([{ want: 3 }, { want: 1 }, { want: 9 }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => [r.rounds, r.long, r.other, r.done]),
    [
      [3, true, true, true],
      [1, true, true, true],
      [5, false, true, true],
    ],
  );
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { conserved: true, nodes: { draft: { in: 9 }, check: { in: 9 }, other: { in: 3 }, done: { in: 3 } } });
});

t.test('LLM branches give byte-identical output at concurrency 1 and 64, ordered or not', async (t) => {
  const graph = (c: number): string =>
    [
      'models:',
      '  m1: { params: { temperature: 0.2 } }',
      '  m2: { params: { temperature: 0.8 } }',
      'nodes:',
      `  ask_1: { type: llm, model: m1, messages: [{ role: user, content: "{q}" }], output: a1, concurrency: ${c} }`,
      `  ask_2: { type: llm, model: m2, messages: [{ role: user, content: "{q}" }], output: a2, concurrency: ${c} }`,
      `  shout: { type: map, set: { a2: "record.a2.toUpperCase()" } }`,
      `  ask_3: { type: llm, model: m1, messages: [{ role: user, content: "Again: {q}" }], output: a3, concurrency: ${c} }`,
      'edges:',
      '  - { from: START, to: [ask_1, ask_2, ask_3] }',
      '  - { from: ask_2, to: shout }',
      '  - { from: [ask_1, shout, ask_3], to: END }',
      '',
    ].join('\n');
  const dir = t.testdir({ 'c1.yaml': graph(1), 'c64.yaml': graph(64) });
  const input = ndjson(Array.from({ length: 300 }, (_, i) => ({ id: i, q: `question ${i}` })));
  const one = await runCli(['run', 'c1.yaml', '--seed', '3', '--no-cache'], { cwd: dir, input });
  const many = await runCli(['run', 'c64.yaml', '--seed', '3', '--no-cache'], { cwd: dir, input });
  t.equal(one.code, 0, one.stderr);
  t.equal(lines(one.stdout).length, 300);
  t.ok(
    lines(one.stdout).every((r) => typeof r.a1 === 'string' && typeof r.a3 === 'string' && r.a2 === String(r.a2).toUpperCase()),
    'every branch delivered',
  );
  t.equal(many.stdout, one.stdout, 'byte-identical');
  const unordered = await runCli(['run', 'c64.yaml', '--seed', '3', '--no-cache', '--unordered'], { cwd: dir, input });
  t.same(
    [...lines(unordered.stdout)].sort((a, b) => Number(a.id) - Number(b.id)),
    lines(one.stdout),
    'the same records with --unordered',
  );
});

t.test('validate and graph know about fan-outs; a fan-out in a subgraph runs inside it', async (t) => {
  const dir = t.testdir({
    'inner.yaml': ['nodes:', '  x: { type: map, set: { x: "1" } }', '  y: { type: map, set: { y: "2" } }', 'edges:', '  - { from: START, to: [x, y] }', '  - { from: [x, y], to: END }', ''].join('\n'),
    'outer.yaml': ['nodes:', '  sub: { type: subgraph, graph: ./inner.yaml }', ''].join('\n'),
    'broken.yaml': ['nodes:', '  a: { type: map, set: { a: "1" } }', '  b: { type: map, set: { b: "1" } }', 'edges:', '  - { from: START, to: [a, b] }', ''].join('\n'),
  });
  const ok = await runCli(['validate', 'inner.yaml'], { cwd: dir });
  t.equal(ok.stdout, 'ok: inner.yaml (2 nodes, a fan-out of 2 branches from START joined at END)\n');
  const bad = await runCli(['validate', 'broken.yaml'], { cwd: dir });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /broken\.yaml:5:\d+ edges\[0\]\.to: the fan-out from START has no join/);
  const drawn = await runCli(['graph', 'inner.yaml'], { cwd: dir });
  t.match(drawn.stdout, /START -->\|"fan-out"\| x\n {2}START -->\|"fan-out"\| y\n/);
  t.match(drawn.stdout, /x -->\|"join: deep"\| END/);
  const run = await runCli(['run', 'outer.yaml'], { cwd: dir, input: ndjson([{ q: 1 }]) });
  t.same(lines(run.stdout), [{ q: 1, x: 1, y: 2 }]);
});

t.test('each branch sees the record as it left the fan-out, a subgraph may be a branch, and --dry-run prints every branch request', async (t) => {
  const dir = t.testdir({
    'inner.yaml': ['nodes:', '  deep: { type: map, set: { deep: "record.n + 100", inner_saw_a: "record.a !== undefined" } }', ''].join('\n'),
    'g.yaml': [
      'models:',
      '  m: {}',
      'nodes:',
      '  a: { type: map, set: { a: "1" } }',
      '  b: { type: map, set: { b_saw_a: "record.a !== undefined" } }',
      '  sub: { type: subgraph, graph: ./inner.yaml, outputs: { deep: "record.deep", inner_saw_a: "record.inner_saw_a" } }',
      '  ask: { type: llm, model: m, messages: [{ role: user, content: "Say {n}" }], output: said }',
      'edges:',
      '  - { from: START, to: [a, b, sub, ask] }',
      '  - { from: [a, b, sub, ask], to: END }',
      '',
    ].join('\n'),
  });
  const input = ndjson([{ n: 1 }, { n: 2 }]);
  const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  t.match(lines(res.stdout), [
    { n: 1, a: 1, b_saw_a: false, deep: 101, inner_saw_a: false, said: String },
    { n: 2, a: 1, b_saw_a: false, deep: 102, inner_saw_a: false, said: String },
  ]);
  const dry = await runCli(['run', 'g.yaml', '--dry-run', '2'], { cwd: dir, input });
  t.equal(dry.code, 0, dry.stderr);
  t.same(
    lines(dry.stdout).map((r) => (r.request as { messages: Array<{ content: string }> }).messages[0]!.content),
    ['Say 1', 'Say 2'],
  );
});

t.test('a branch node may return a record without a prototype, as anywhere else', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  bare: { type: code, module: ./bare.js, export: bare }',
      '  other: { type: map, set: { other: "true" } }',
      'edges:',
      '  - { from: START, to: [bare, other] }',
      '  - { from: [bare, other], to: END }',
      '',
    ].join('\n'),
    'bare.js': 'export function bare(record) { return Object.assign(Object.create(null), record, { bare: true }); }\n',
  });
  const res = await runCli(['run', 'g.yaml', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([{ n: 1 }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(lines(res.stdout), [{ n: 1, bare: true, other: true }]);
});
