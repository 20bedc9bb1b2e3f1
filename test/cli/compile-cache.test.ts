import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { CLI, feed, FIXTURES, lines, runCli } from '../cli-process.js';

// The command loads its bundle with V8's code cache (bin/compile-cache.ts). What a user
// sees must not change with it: the same output cold, warm, with a damaged cache or none.

const GRAPH = join(FIXTURES, 'graphs', 'filter.yaml');
const INPUT = join(FIXTURES, 'records.jsonl');

function caches(dir: string, command = 'run'): string[] {
  return readdirSync(dir).filter((f) => new RegExp(`^cli-[0-9a-z]+\\.${command}\\.`).test(f) && f.endsWith('.v8'));
}

t.test('the first run writes the cache, the next ones read it and leave it as it is', async (t) => {
  const dir = t.testdir({});
  const env = { NODE_COMPILE_CACHE: dir };
  const cold = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env });
  t.equal(cold.code, 0, cold.stderr);
  t.equal(cold.stderr, '', 'nothing said about the cache');
  const [file] = caches(dir);
  t.ok(file, 'a cache for `run` is written');
  t.equal(statSync(join(dir, file!)).mode & 0o777, 0o600, 'readable by this user only');
  const written = readFileSync(join(dir, file!));

  const warm = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env });
  t.equal(warm.code, 0, warm.stderr);
  t.equal(warm.stdout, cold.stdout, 'the same output from the cache');
  t.equal(warm.stderr, '');
  // V8 took the cache: a refused one would have been written afresh.
  t.ok(readFileSync(join(dir, file!)).equals(written), 'the cache was accepted, not rewritten');
  t.same(caches(dir), [file], 'one cache for the command');

  const version = await runCli(['--version'], { env });
  t.equal(version.code, 0);
  t.equal(caches(dir, 'other').length, 1, 'another command has a cache of its own');
  const typo = await runCli(['rnu'], { env });
  t.equal(typo.code, 2);
  t.same(caches(dir, 'rnu'), [], 'a mistyped command shares the cache of the rest');
});

t.test('a --threads worker that ran a batch writes the cache of its bundle too, at the end of the run', async (t) => {
  const dir = t.testdir({
    'where.mjs': "import { threadId } from 'node:worker_threads';\nexport default (record) => ({ ...record, thread: threadId });\n",
    'g.yaml': 'nodes:\n  where: { type: code, module: ./where.mjs }\n',
    cache: {},
  });
  const cacheDir = join(dir, 'cache');
  const workerCaches = (): string[] => readdirSync(cacheDir).filter((f) => /^thread-worker-[0-9a-z]+\.worker\..*\.v8$/.test(f));
  const run = feed(['run', join(dir, 'g.yaml'), '-q', '--threads', '2'], { env: { NODE_COMPILE_CACHE: cacheDir } });
  // Records one at a time until the worker is up and has run one.
  let sent = 0;
  let workerRan = false;
  while (!workerRan && sent < 20_000) {
    run.write(`{"id":${sent++}}\n`);
    if (!(await run.until((out) => out.split('\n').length > sent))) break;
    workerRan = lines(await run.printed()).some((r) => r.thread !== 0);
  }
  t.ok(workerRan, `the worker ran record ${sent - 1}`);
  const res = await run.end();
  t.equal(res.code, 0, res.stderr);
  const [file] = workerCaches();
  t.ok(file, `the worker's cache is written (${readdirSync(cacheDir).join(', ')})`);
  if (file) t.equal(statSync(join(cacheDir, file)).mode & 0o777, 0o600);
});

t.test('the worker thread that encoded a Parquet file writes the cache of its bundle too', async (t) => {
  const dir = t.testdir({ 'keep.yaml': 'nodes:\n  keep: { type: filter, when: "record.id >= 0" }\n', cache: {} });
  const cacheDir = join(dir, 'cache');
  const env = { NODE_COMPILE_CACHE: cacheDir };
  const workerCaches = (): string[] => readdirSync(cacheDir).filter((f) => /^thread-worker-[0-9a-z]+\.worker\..*\.v8$/.test(f));
  // More rows than one row group (10,000): the groups are encoded on a worker thread.
  const input = Array.from({ length: 12_000 }, (_, i) => JSON.stringify({ id: i, text: `row ${i}` })).join('\n') + '\n';
  const out = join(dir, 'out.parquet');
  const res = await runCli(['run', join(dir, 'keep.yaml'), '-q', '-o', out], { input, env });
  t.equal(res.code, 0, res.stderr);
  t.equal(workerCaches().length, 1, `the encoder thread wrote the worker's cache (${readdirSync(cacheDir).join(', ')})`);
  // The file reads back whole, and a second run starts its thread from the cache.
  const back = await runCli(['run', join(dir, 'keep.yaml'), '-q', '-i', out], { env });
  t.equal(back.code, 0, back.stderr);
  t.equal(lines(back.stdout).length, 12_000);
});

t.test('a damaged cache is refused by V8 and written afresh; the run is the same', async (t) => {
  const dir = t.testdir({});
  const env = { NODE_COMPILE_CACHE: dir };
  const first = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env });
  t.equal(first.code, 0, first.stderr);
  const [file] = caches(dir);
  const damaged = Buffer.alloc(statSync(join(dir, file!)).size, 7);
  writeFileSync(join(dir, file!), damaged);
  const again = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env });
  t.equal(again.code, 0, again.stderr);
  t.equal(again.stdout, first.stdout);
  t.equal(again.stderr, '');
  t.notOk(readFileSync(join(dir, file!)).equals(damaged), 'replaced by a good cache');
});

t.test("an earlier build's cache of the same command is removed when the new one is written; other installs' stay", async (t) => {
  const dir = t.testdir({});
  const env = { NODE_COMPILE_CACHE: dir };
  t.equal((await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env })).code, 0);
  const [file] = caches(dir);
  // cli-<install>.run.<build>.<node>.v8: the same install and command, another build.
  const prefix = file!.slice(0, file!.indexOf('.run.') + '.run.'.length);
  rmSync(join(dir, file!));
  writeFileSync(join(dir, `${prefix}oldbuild.v20.0.0.v8`), 'stale');
  writeFileSync(join(dir, 'cli-otherinstall.run.somebuild.v20.0.0.v8'), 'another install');
  writeFileSync(join(dir, `${prefix.replace('.run.', '.view.')}oldbuild.v20.0.0.v8`), 'another command');
  writeFileSync(join(dir, 'notes.txt'), 'not ours');
  const res = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env });
  t.equal(res.code, 0, res.stderr);
  const files = readdirSync(dir);
  t.notOk(files.includes(`${prefix}oldbuild.v20.0.0.v8`), 'the stale cache of this install and command is gone');
  t.ok(files.includes('cli-otherinstall.run.somebuild.v20.0.0.v8'), "another install's cache stays");
  t.ok(files.includes(`${prefix.replace('.run.', '.view.')}oldbuild.v20.0.0.v8`), "another command's cache stays");
  t.ok(files.includes('notes.txt'), 'other files stay');
  t.ok(files.includes(file!), 'the new cache is written');
});

t.test('NODE_DISABLE_COMPILE_CACHE=1 writes nothing', async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' } });
  t.equal(res.code, 0, res.stderr);
  t.ok(res.stdout.length > 0);
  t.same(readdirSync(dir), []);
});

t.test('a cache folder that others may write is not used', async (t) => {
  const dir = t.testdir({});
  chmodSync(dir, 0o777);
  const res = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env: { NODE_COMPILE_CACHE: dir } });
  t.equal(res.code, 0, res.stderr);
  t.ok(res.stdout.length > 0);
  t.same(readdirSync(dir), [], 'compiled code is never taken from, or left in, a folder anyone can write');
});

t.test('a cache folder that cannot be made does not stop the run', async (t) => {
  const dir = t.testdir({ file: 'a file, not a folder' });
  const res = await runCli(['run', GRAPH, '--input', INPUT, '-q'], { env: { NODE_COMPILE_CACHE: join(dir, 'file', 'cache') } });
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stderr, '');
  t.ok(res.stdout.length > 0);
});

t.test('a run long enough for V8 to flush unused bytecode still writes a whole cache', async (t) => {
  // --stress-flush-code makes V8 drop the bytecode of every function not running at each
  // full GC, as a long run would over time: the start-up code would be missing from a cache
  // made at exit, and every later start would compile it again.
  const dir = t.testdir({
    'g.yaml':
      'nodes:\n  keep: { type: filter, when: "record.n >= 0" }\n  tag: { type: map, set: { len: "record.text.length" } }\nedges:\n  - { from: START, to: keep }\n  - { from: keep, to: tag }\n  - { from: tag, to: END }\n',
    short: {},
    long: {},
  });
  const text = 'x'.repeat(1000);
  const records = Array.from({ length: 20_000 }, (_, n) => JSON.stringify({ n, text })).join('\n') + '\n';
  const sizes: number[] = [];
  // One record with V8 as it comes, then 20,000 with bytecode flushed at every full GC.
  for (const [folder, input, flags] of [
    ['short', '{"n":1,"text":"x"}\n', []],
    ['long', records, ['--stress-flush-code']],
  ] as const) {
    const res = spawnSync(process.execPath, [...flags, CLI, 'run', join(dir, 'g.yaml'), '-q'], {
      input,
      // Without the test runner's own preloads, which would share the process's code.
      env: { ...process.env, NODE_OPTIONS: '', NODE_COMPILE_CACHE: join(dir, folder) },
      maxBuffer: 64 * 1024 * 1024,
    });
    t.equal(res.status, 0, res.stderr.toString());
    sizes.push(statSync(join(dir, folder, caches(join(dir, folder))[0]!)).size);
  }
  t.ok(sizes[1]! >= sizes[0]! * 0.95, `the long run's cache (${sizes[1]} bytes) holds what a one-record run's does (${sizes[0]})`);
});
