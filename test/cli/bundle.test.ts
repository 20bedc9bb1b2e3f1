import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { runCli } from '../cli-process.js';

// The command's bundle carries lmdb's JavaScript (so V8's code cache holds it) and loads
// lmdb's native addon from the install, where lmdb itself would: the LLM cache must work
// the same as with the package loaded from node_modules.

const GRAPH = ['models:', '  m: { provider: mock }', 'nodes:', '  a: { type: llm, model: m, messages: [ { role: user, content: "{q}" } ], output: answer }', ''].join('\n');
// Loaded before the command with --require: at exit, lists the lmdb files Node's require loaded.
const PROBE = `process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/]lmdb/.test(f)))));`;

t.test('the LLM cache works from the bundled lmdb, whose native addon comes from the install', async (t) => {
  const dir = t.testdir({ 'g.yaml': GRAPH, 'probe.cjs': PROBE });
  const input = '{"q":"one"}\n{"q":"two"}\n';
  const env = { NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}`, PROBE_OUT: join(dir, 'loaded.json') };
  const cold = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '-q', '--stats', 'cold.json'], { cwd: dir, input, env });
  t.equal(cold.code, 0, cold.stderr);
  const loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
  t.ok(
    loaded.some((f) => f.endsWith('.node')),
    `lmdb's native addon is loaded from the install: ${loaded.join(', ')}`,
  );
  t.notOk(
    loaded.some((f) => /[\\/]lmdb[\\/]dist[\\/]index\.cjs$/.test(f)),
    "lmdb's own index.cjs is not: its code is in the bundle",
  );
  const warm = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '-q', '--stats', 'warm.json'], { cwd: dir, input, env });
  t.equal(warm.code, 0, warm.stderr);
  t.equal(warm.stdout, cold.stdout, 'the same answers');
  t.match(JSON.parse(readFileSync(join(dir, 'warm.json'), 'utf8')), { models: { m: { cache: { store_hits: { disk: 2 } } } } }, 'both answers came from the disk cache');
});

t.test("a plain run loads none of Node's modules for threads, HTTP or gzip; the runs that need them do", async (t) => {
  // Loaded before the command with --require: notes the Node built-ins it requires (or gets
  // with process.getBuiltinModule) and writes them at exit. Not process.moduleLoadList: the
  // test runner's hooks, which it puts in every process it spawns, import some of them.
  const probe = `const Module = require('node:module'); const seen = new Set(); const load = Module._load;
Module._load = function (request, ...rest) { if (Module.isBuiltin(request)) seen.add(request.replace(/^node:/, '')); return load.call(this, request, ...rest); };
const builtIn = process.getBuiltinModule; process.getBuiltinModule = (id) => { seen.add(id.replace(/^node:/, '')); return builtIn(id); };
process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify([...seen])));`;
  const graph = 'nodes:\n  keep: { type: filter, when: "record.n > 0" }\n';
  const dir = t.testdir({ 'g.yaml': graph, 'probe.cjs': probe, 'in.jsonl.gz': gzipSync('{"n":1}\n{"n":0}\n') });
  const builtIns = async (args: string[], input = '{"n":1}\n{"n":0}\n'): Promise<string[]> => {
    const out = join(dir, 'loaded.json');
    const res = await runCli(args, { cwd: dir, input, env: { NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}`, PROBE_OUT: out } });
    t.equal(res.code, 0, res.stderr);
    t.equal(res.stdout, '{"n":1}\n');
    return JSON.parse(readFileSync(out, 'utf8')) as string[];
  };
  const plain = await builtIns(['run', 'g.yaml', '-q']);
  for (const name of ['http', 'worker_threads', 'zlib']) t.notOk(plain.includes(name), `a plain run does not load ${name}: ${plain.join(' ')}`);
  t.ok((await builtIns(['run', 'g.yaml', '-q', '--threads', '2'])).includes('worker_threads'), '--threads loads worker_threads');
  t.ok((await builtIns(['run', 'g.yaml', '-q', '--metrics-port', '0'])).includes('http'), '--metrics-port loads http');
  t.ok((await builtIns(['run', 'g.yaml', '-q', '--input', 'in.jsonl.gz'])).includes('zlib'), 'gzip input loads zlib');
});
