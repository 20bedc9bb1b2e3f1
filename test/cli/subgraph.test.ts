import t from 'tap';
import { lines, ndjson, runCli } from '../cli-process.js';

t.test('a subgraph runs per record; inputs map fields in, outputs map them back', async (t) => {
  const dir = t.testdir({
    'main.yaml': [
      'nodes:',
      '  prep: { type: map, set: { n: "record.n * 10" } }',
      '  inner:',
      '    type: subgraph',
      '    graph: ./parts/inner.yaml',
      '    inputs: { value: "record.n" }',
      '    outputs: { result: "record.value", steps: "record.steps" }',
      '',
    ].join('\n'),
    parts: {
      'inner.yaml': [
        'nodes:',
        '  grow: { type: map, set: { value: "record.value + 1", steps: "(record.steps ?? 0) + 1" } }',
        '  check: { type: filter, when: "record.value > 0" }',
        'edges:',
        '  - { from: START, to: grow }',
        '  - { from: grow, to: check }',
        '  - { from: check, to: grow, max_iterations: 3, until: "record.value % 5 === 0" }',
        '',
      ].join('\n'),
    },
  });
  const res = await runCli(['run', 'main.yaml', '--rejected', 'r.jsonl'], { cwd: dir, input: ndjson([{ n: 1 }, { n: -5 }]) });
  t.equal(res.code, 0, res.stderr);
  t.same(lines(res.stdout), [{ n: 10, result: 13, steps: 3 }]);
});

t.test('a config error inside the included file is reported at its own file and line', async (t) => {
  const dir = t.testdir({
    'main.yaml': 'nodes:\n  outer: { type: subgraph, graph: ./a.yaml }\n',
    'a.yaml': 'nodes:\n  deeper: { type: subgraph, graph: ./b.yaml }\n',
    'b.yaml': 'nodes:\n  ok: { type: map, set: { x: "1" } }\n  broken: { type: filter, when: "record.x >" }\n',
  });
  const res = await runCli(['validate', 'main.yaml'], { cwd: dir });
  t.equal(res.code, 2);
  t.match(res.stderr, /^b\.yaml:3:33 nodes\.broken\.when: expression does not compile/m);
});

t.test('include cycles are rejected', async (t) => {
  const dir = t.testdir({
    'a.yaml': 'nodes:\n  to_b: { type: subgraph, graph: ./b.yaml }\n',
    'b.yaml': 'nodes:\n  to_a: { type: subgraph, graph: ./a.yaml }\n',
  });
  const res = await runCli(['validate', 'a.yaml'], { cwd: dir });
  t.equal(res.code, 2);
  t.match(res.stderr, /b\.yaml:2:\d+ nodes\.to_a\.graph: include cycle: a\.yaml → b\.yaml → a\.yaml/);
});
