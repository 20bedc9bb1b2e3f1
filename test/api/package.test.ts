import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli-process.js';

// The library API as a user gets it: the tarball `npm pack` makes, unpacked into a scratch
// project's node_modules, imported by name from plain JS and from TypeScript. Its
// dependencies are linked from this repository's node_modules (no network in tests).

const GRAPH = `nodes:
  keep: { type: filter, when: "record.n % 3 !== 0" }
  shout: { type: map, set: { text: "record.text.toUpperCase()" } }
`;

// Four records: n = 3 is filtered, the one without text fails in the map node.
const CONSUMER_JS = `import { loadGraph, runGraph, ConfigError } from 'sygra-stream';
const graph = await loadGraph('graph.yaml');
const fates = [];
let stats;
try {
  const run = runGraph(graph, [{ n: 1, text: 'a' }, { n: 2, text: 'b' }, { n: 3, text: 'c' }, { n: 4 }]);
  for await (const r of run) fates.push(r);
  stats = run.stats();
} finally {
  await graph.close();
}
let bad = null;
try { await loadGraph('bad.yaml'); } catch (err) { bad = err instanceof ConfigError ? err.message : 'not a ConfigError'; }
console.log(JSON.stringify({ nodes: graph.nodes, fates, out: stats.records_out, filtered: stats.filtered, errors: stats.errors, bad }));
`;

const CONSUMER_TS = `import { loadGraph, runGraph, type RecordFate, type JsonObject } from 'sygra-stream';

async function* records(): AsyncGenerator<JsonObject> {
  for (let n = 1; n <= 4; n++) yield n === 4 ? { n } : { n, text: String.fromCharCode(96 + n) };
}

const graph = await loadGraph('graph.yaml', { seed: 1 });
const fates: RecordFate[] = [];
try {
  for await (const r of runGraph(graph, records(), { ordered: true })) fates.push(r);
} finally {
  await graph.close();
}
const summary = fates.map((r) => (r.fate === 'output' ? r.record.text : r.fate === 'filtered' ? \`filtered by \${r.node}\` : \`error in \${r.node}\`));
console.log(JSON.stringify(summary));
`;

function run(cmd: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('the packed package runs a graph from JS and from TypeScript', async (t) => {
  const dir = t.testdir({
    'graph.yaml': GRAPH,
    'bad.yaml': 'nodes:\n  x: { type: nope }\n',
    'consumer.mjs': CONSUMER_JS,
    'consumer.ts': CONSUMER_TS,
    'package.json': JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: ['consumer.ts'],
    }),
  });
  const pack = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], ROOT);
  t.equal(pack.status, 0, pack.stderr);
  const tarball = join(dir, pack.stdout.trim().split('\n').pop()!);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  t.equal(run('tar', ['-xzf', tarball, '-C', modules], dir).status, 0);
  renameSync(join(modules, 'package'), join(modules, 'sygra-stream'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === '.bin' || name === 'sygra-stream' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }

  const js = run(process.execPath, ['consumer.mjs'], dir);
  t.equal(js.status, 0, js.stderr);
  const out = JSON.parse(js.stdout) as {
    nodes: string[];
    fates: Array<{ fate: string; seq: number; record: { text?: string }; node?: string }>;
    out: number;
    filtered: number;
    errors: number;
    bad: string;
  };
  t.same(out.nodes, ['keep', 'shout']);
  t.same(
    out.fates.map((f) => [f.seq, f.fate, f.record.text ?? null, f.node ?? null]),
    [
      [0, 'output', 'A', null],
      [1, 'output', 'B', null],
      [2, 'filtered', 'c', 'keep'],
      [3, 'error', null, 'shout'],
    ],
    'each record with its fate, in input order',
  );
  t.same([out.out, out.filtered, out.errors], [2, 1, 1], 'the stats count every record once');
  t.match(out.bad, /bad\.yaml:2:\d+.*unknown node type "nope"/, 'a bad graph is a ConfigError naming file:line:col');

  const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir);
  t.equal(tsc.status, 0, `the types resolve through the package's exports: ${tsc.stdout}${tsc.stderr}`);
  const ts = run(process.execPath, ['consumer.js'], dir);
  t.equal(ts.status, 0, ts.stderr);
  t.same(JSON.parse(ts.stdout), ['A', 'B', 'filtered by keep', 'error in shout']);
});

t.test('the package exports only its library entry', async (t) => {
  const pkg = (await import(join(ROOT, 'package.json'), { with: { type: 'json' } })) as { default: { exports: Record<string, unknown> } };
  t.same(Object.keys(pkg.default.exports), ['.', './package.json']);
});

t.test('the example of docs/library.md runs as written', async (t) => {
  const section = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  // Inside the package's own folder, `import 'sygra-stream'` resolves to its exports.
  const file = join(ROOT, 'dist', 'readme-library-example.mjs');
  writeFileSync(file, code);
  t.teardown(() => rmSync(file, { force: true }));
  const res = run(process.execPath, [file], ROOT);
  t.equal(res.status, 0, res.stderr);
  const printed = res.stdout.trim().split('\n').filter(Boolean);
  t.ok(printed.length > 0, 'records came out');
  t.match(res.stderr, /records out/);
});
