import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';

t.test('conditional edges: the first true branch wins; no match is an error record', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      "  classify: { type: map, set: { kind: \"record.text.includes('def ') ? 'code' : record.text ? 'chat' : 'none'\" } }",
      '  code_path: { type: map, set: { path: "\'code\'" } }',
      '  chat_path: { type: map, set: { path: "\'chat\'" } }',
      '  finish: { type: map, set: { done: "true" } }',
      'edges:',
      '  - { from: START, to: classify }',
      '  - { from: classify, to: { code_path: "record.kind == \'code\'", chat_path: "record.kind == \'chat\'" } }',
      '  - { from: code_path, to: finish }',
      '  - { from: chat_path, to: finish }',
      '  - { from: finish, to: END }',
      '',
    ].join('\n'),
  });
  const res = await runCli(['run', 'g.yaml', '--errors', 'e.jsonl', '--stats', 's.json'], { cwd: dir, input: ndjson([{ text: 'def f(): pass' }, { text: 'hello' }, { text: '' }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => [r.path, r.done]),
    [
      ['code', true],
      ['chat', true],
    ],
  );
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ line: 3, node: 'classify', error: 'no branch of the edge from "classify" matched (code_path, chat_path)' }]);
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { conserved: true, nodes: { code_path: { in: 1 }, chat_path: { in: 1 }, finish: { in: 2 } } });
});

t.test('a router module picks the next node; a bad answer is an error record', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  start: { type: map, set: { seen: "true" } }',
      '  short: { type: map, set: { size: "\'short\'" } }',
      '  long: { type: map, set: { size: "\'long\'" } }',
      'edges:',
      '  - { from: START, to: start }',
      '  - { from: start, router: { module: ./route.js, export: pick } }',
      '',
    ].join('\n'),
    'route.js': 'export function pick(r) { return r.n > 9 ? "long" : r.n >= 0 ? "short" : "nowhere" }\n',
  });
  const res = await runCli(['run', 'g.yaml', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([{ n: 3 }, { n: 30 }, { n: -1 }]) });
  t.same(
    lines(res.stdout).map((r) => r.size),
    ['short', 'long'],
  );
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ node: 'start', error: 'router of "start" returned "nowhere", which is not a node or END' }]);
});

const loopGraph = (edgeExtra: string, rescue = true): Record<string, string> => ({
  'g.yaml': [
    'nodes:',
    '  draft: { type: map, set: { draft: "\'v0\'", rounds: "0" } }',
    '  revise: { type: map, set: { rounds: "record.rounds + 1", draft: "\'v\' + (record.rounds + 1)" } }',
    '  check: { type: map, set: { good: "record.rounds >= record.need" } }',
    '  publish: { type: map, set: { published: "true" } }',
    ...(rescue ? ['  rescue: { type: map, set: { rescued: "true" } }'] : []),
    'edges:',
    '  - { from: START, to: draft }',
    '  - { from: draft, to: revise }',
    '  - { from: revise, to: check }',
    '  - { from: check, to: publish }',
    `  - { from: check, to: revise, max_iterations: 3${edgeExtra} }`,
    '  - { from: publish, to: END }',
    ...(rescue ? ['  - { from: rescue, to: END }'] : []),
    '',
  ].join('\n'),
});

t.test('a loop goes round until `until` holds, at most max_iterations times', async (t) => {
  const dir = t.testdir(loopGraph(', until: "record.good"'));
  // `rescue` is reachable only through on_max; without it, it is unreachable: validation says so.
  const invalid = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(invalid.code, 2);
  t.match(invalid.stderr, /nodes\.rescue: node "rescue" is unreachable from START/);

  const ok = t.testdir(loopGraph(', until: "record.good", on_max: rescue'));
  const res = await runCli(['run', 'g.yaml', '--stats', 's.json'], { cwd: ok, input: ndjson([{ need: 1 }, { need: 2 }, { need: 9 }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => [r.rounds, r.draft, r.published ?? null, r.rescued ?? null]),
    [
      [1, 'v1', true, null],
      [2, 'v2', true, null],
      [3, 'v3', null, true],
    ],
  );
  t.match(JSON.parse(await readFile(join(ok, 's.json'), 'utf8')), { conserved: true, nodes: { revise: { in: 6 }, check: { in: 6 }, publish: { in: 2 }, rescue: { in: 1 } } });
});

t.test('on_max: END ends the record there; error makes it an error; default follows the forward edge', async (t) => {
  const input = ndjson([{ need: 9 }]);
  await t.test('END', async (t) => {
    const end = await runCli(['run', 'g.yaml'], { cwd: t.testdir(loopGraph(', until: "record.good", on_max: END', false)), input });
    t.same(
      lines(end.stdout).map((r) => [r.rounds, r.published ?? null]),
      [[3, null]],
    );
  });
  await t.test('error', async (t) => {
    const dir = t.testdir(loopGraph(', on_max: error', false));
    const err = await runCli(['run', 'g.yaml', '--errors', 'e.jsonl'], { cwd: dir, input });
    t.equal(err.stdout, '');
    t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ node: 'check', error: 'loop revise … check used all 3 rounds' }]);
  });
  await t.test('default', async (t) => {
    const res = await runCli(['run', 'g.yaml'], { cwd: t.testdir(loopGraph('', false)), input });
    t.same(
      lines(res.stdout).map((r) => [r.rounds, r.published]),
      [[3, true]],
    );
  });
});

t.test('a record on a long loop does not hold up the others (--unordered, by order of completion)', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'nodes:',
      '  work: { type: code, module: ./work.js, export: work, concurrency: 4 }',
      '  done: { type: map, set: { finished: "true" } }',
      'edges:',
      '  - { from: START, to: work }',
      '  - { from: work, to: done }',
      '  - { from: work, to: work, max_iterations: 50, until: "record.turns >= record.need" }',
      '',
    ].join('\n'),
    'work.js': 'export async function work(r) { await new Promise((ok) => setImmediate(ok)); return { ...r, turns: (r.turns ?? 0) + 1 } }\n',
  });
  const input = ndjson([{ id: 'slow', need: 40 }, ...Array.from({ length: 10 }, (_, i) => ({ id: `fast${i}`, need: 1 }))]);
  const res = await runCli(['run', 'g.yaml', '--unordered'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  const order = lines(res.stdout).map((r) => r.id);
  t.equal(order.length, 11);
  t.equal(order.at(-1), 'slow', 'the 40-round record finished last');
  t.match(
    lines(res.stdout).find((r) => r.id === 'slow'),
    { turns: 40, finished: true },
  );
  const ordered = await runCli(['run', 'g.yaml'], { cwd: dir, input });
  t.equal(lines(ordered.stdout)[0]!.id, 'slow', 'ordered mode keeps input order');
});

t.test('graph draws conditions and loop bounds', async (t) => {
  const dir = t.testdir(loopGraph(', until: "record.good", on_max: rescue'));
  const res = await runCli(['graph', 'g.yaml'], { cwd: dir });
  t.match(res.stdout, /check -\.->\|"≤ 3 rounds, until record\.good"\| revise/);
  t.match(res.stdout, /check -->\|"after 3 rounds"\| rescue/);
  const dot = await runCli(['graph', 'g.yaml', '--format', 'dot'], { cwd: dir });
  t.match(dot.stdout, /"check" -> "revise" \[label="≤ 3 rounds, until record\.good", style=dashed\];/);
});
