import t, { type Test } from 'tap';
import { join } from 'node:path';
import { ConfigError, formatProblem } from '../../lib/config/problems.js';
import { loadGraph } from '../../lib/graph/load.js';
import { allNodeTypes } from '../../lib/nodes/registry.js';

const nodeTypes = await allNodeTypes();

async function problems(t: Test, files: Record<string, string>, main = 'graph.yaml'): Promise<string[]> {
  const dir = t.testdir(files);
  try {
    await loadGraph(join(dir, main));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => formatProblem(p).slice(dir.length + 1));
    throw err;
  }
  return [];
}

t.test('every problem at once, each with file:line:col and key path, in file order', async (t) => {
  const found = await problems(t, {
    'graph.yaml': [
      'nodes:',
      '  long_prompts:',
      '    type: filtr',
      '  add_len:',
      '    type: map',
      '    set: { prompt_chars: "record.prompt.length +" }',
      '    colour: red',
      '  custom:',
      '    type: code',
      '    module: ./missing.js',
      'edges:',
      '  - { from: START, to: long_prompts }',
      '  - { from: long_prompts, to: add_lne }',
      '',
    ].join('\n'),
  });
  t.same(found, [
    `graph.yaml:3:11 nodes.long_prompts.type: unknown node type "filtr" (did you mean "filter"?) (known: ${[...nodeTypes.keys()].join(', ')})`,
    "graph.yaml:6:26 nodes.add_len.set.prompt_chars: expression does not compile: Unexpected token ')'",
    'graph.yaml:7:5 nodes.add_len.colour: unknown key "colour" (allowed: type, description, set, unset)',
    `graph.yaml:10:13 nodes.custom.module: module not found: ${t.testdirName}/missing.js`,
    'graph.yaml:13:31 edges[1].to: no node named "add_lne" (did you mean "add_len"?)',
  ]);
});

t.test('YAML syntax errors are located', async (t) => {
  const found = await problems(t, { 'graph.yaml': 'nodes:\n  a: { type: filter, when: "x"\n' });
  t.equal(found.length, 1);
  t.match(found[0], /^graph\.yaml:\d+:\d+: /);
});

t.test('duplicate keys are rejected', async (t) => {
  const found = await problems(t, { 'graph.yaml': 'nodes:\n  a: { type: filter, when: "true" }\n  a: { type: filter, when: "false" }\n' });
  t.same(found, ['graph.yaml:3:3: duplicate key "a"']);
});

t.test('schema problems: missing keys, wrong types, bad node names, empty nodes', async (t) => {
  t.same(await problems(t, { 'graph.yaml': 'nodes:\n  a:\n    type: filter\n' }), ['graph.yaml:3:5 nodes.a.when: missing: expected required property']);
  t.same(await problems(t, { 'graph.yaml': 'nodes:\n  a:\n    type: code\n    module: ./m.js\n    concurrency: 0\n' }), [
    'graph.yaml:5:18 nodes.a.concurrency: expected integer to be greater or equal to 1, got number 0',
  ]);
  t.match((await problems(t, { 'graph.yaml': 'nodes:\n  "bad name": { type: filter, when: "true" }\n' }))[0], /^graph\.yaml:2:3 nodes\.bad name: /);
  t.match((await problems(t, { 'graph.yaml': 'nodes: {}\n' }))[0], /^graph\.yaml:1:8 nodes: /);
  t.match((await problems(t, { 'graph.yaml': 'nodse:\n  a: { type: filter, when: "true" }\n' })).join('\n'), /unknown key "nodse" \(did you mean "nodes"\?\)/);
});

t.test('edges: unreachable nodes, cycles, two ways out, START and END misuse', async (t) => {
  const nodes = 'nodes:\n  a: { type: filter, when: "true" }\n  b: { type: filter, when: "true" }\n  c: { type: filter, when: "true" }\n';
  t.same(await problems(t, { 'graph.yaml': nodes + 'edges:\n  - { from: START, to: a }\n  - { from: a, to: END }\n' }), [
    'graph.yaml:3:3 nodes.b: node "b" is unreachable from START',
    'graph.yaml:4:3 nodes.c: node "c" is unreachable from START',
  ]);
  t.match(await problems(t, { 'graph.yaml': nodes + 'edges:\n  - { from: START, to: a }\n  - { from: a, to: b }\n  - { from: b, to: c }\n  - { from: c, to: a }\n' }), [
    /^graph\.yaml:9:20 edges\[3\]\.to: cycle through "a" \(loops need max_iterations on the edge back\)/,
  ]);
  t.match(await problems(t, { 'graph.yaml': nodes + 'edges:\n  - { from: START, to: a }\n  - { from: a, to: b }\n  - { from: a, to: c }\n' }), [
    /^graph\.yaml:8:13 edges\[2\]\.from: "a" already has an outgoing edge; use one conditional edge to branch/,
  ]);
  t.match(await problems(t, { 'graph.yaml': nodes + 'edges:\n  - { from: a, to: START }\n' }), [/edges\[0\]\.to: START cannot be an edge target/]);
  t.match(await problems(t, { 'graph.yaml': 'nodes:\n  START: { type: filter, when: "true" }\n' }), [/nodes\.START: "START" is reserved/]);
});

t.test('code modules: load failures and missing exports are config errors', async (t) => {
  const found = await problems(t, {
    'graph.yaml': ['nodes:', '  a: { type: code, module: ./broken.js }', '  b: { type: code, module: ./ok.js, export: nope }', '  c: { type: code, module: ./ok.js }', ''].join('\n'),
    'broken.js': 'export const x = ;\n',
    'ok.js': 'export function yes(r) { return r }\n',
  });
  t.match(found, [
    /^graph\.yaml:2:28 nodes\.a\.module: module does not load: /,
    /^graph\.yaml:3:45 nodes\.b\.export: .*ok\.js has no exported function "nope" \(exports: yes\)/,
    /^graph\.yaml:4:28 nodes\.c\.module: .*has no exported function "default"/,
  ]);
});

t.test('a valid graph compiles in topological order, sync and async nodes told apart', async (t) => {
  const dir = t.testdir({
    'graph.yaml': [
      'nodes:',
      '  c: { type: code, module: ./steps.js, export: later }',
      '  a: { type: filter, when: "record.x > 1" }',
      '  b: { type: code, module: ./steps.js, export: slow }',
      'edges:',
      '  - { from: START, to: a }',
      '  - { from: a, to: b }',
      '  - { from: b, to: c }',
      '',
    ].join('\n'),
    'steps.js': 'export function later(r) { return r }\nexport async function slow(r) { return r }\n',
  });
  const graph = await loadGraph(join(dir, 'graph.yaml'));
  t.same(
    graph.nodes.map((n) => [n.name, n.compiled.async]),
    [
      ['a', false],
      ['b', true],
      ['c', false],
    ],
  );
  t.equal(graph.entry, 'a');
  t.equal(graph.routes.get('c')!({}, { node: 'c', line: 1, seq: 0 }), null);
});

t.test('without edges, nodes run in the order written', async (t) => {
  const dir = t.testdir({ 'graph.yaml': 'nodes:\n  z: { type: filter, when: "true" }\n  y: { type: map, set: { k: "1" } }\n' });
  const graph = await loadGraph(join(dir, 'graph.yaml'));
  t.same(
    graph.nodes.map((n) => n.name),
    ['z', 'y'],
  );
  t.equal(graph.routes.get('z')!({}, { node: 'z', line: 1, seq: 0 }), 'y');
});
