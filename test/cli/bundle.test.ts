import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { runCli } from '../cli-process.js';

// What the command loads: Node's modules for threads, HTTP and gzip only in the runs that
// use them.

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
