import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
