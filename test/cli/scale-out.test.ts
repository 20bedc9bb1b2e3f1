import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'undici';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { collect, lines, runCli, startCli, type CliResult } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';
import { haveRedis, startRedis, type RedisServerProcess } from '../redis-server-process.js';
import { whenInDir } from '../wait-for.js';

if (!haveRedis) {
  t.test('scale-out over Redis Streams', { skip: 'redis-server is not installed (apt-get install redis-server)' }, () => undefined);
} else {
  let redis: RedisServerProcess;
  t.before(async () => {
    redis = await startRedis();
  });
  t.teardown(() => redis.stop());

  // Each worker leaves a file named after its pid when it takes its first record, so a test
  // can stop one mid-run without guessing at timing.
  const SLOW = `import { writeFileSync } from 'node:fs';
let started = false;
export default async (r) => {
  if (!started) { started = true; writeFileSync('started-' + process.pid, ''); }
  if (r.poison && !process.env.NO_POISON) process.kill(process.pid, 'SIGKILL');
  await new Promise((ok) => setTimeout(ok, 5));
  if (r.n % 13 === 0) throw new Error('bad ' + r.n);
  return r.n % 7 === 0 ? null : { ...r, done: true };
};
`;
  const graph = 'nodes:\n  slow: { type: code, module: ./slow.mjs, concurrency: 8 }\n';
  const records = (n: number, extra: (i: number) => object = () => ({})) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `r${i}`, n: i, ...extra(i) })).join('\n') + '\n';
  const worker = (queue: string, dir: string, more: string[] = []): ChildProcess => {
    const child = startCli(['worker', 'g.yaml', '--redis', redis.url, '--queue', queue, '--exit-when-done', '--claim-idle-ms', '600', '--batch', '16', '-q', ...more], { cwd: dir });
    child.stdin!.end();
    return child;
  };
  const finished = (child: ChildProcess): Promise<CliResult> => collect(child);

  t.test('3 workers, one killed with SIGKILL mid-run: drain yields every id exactly once', async (t) => {
    const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': graph, 'in.jsonl': records(600) });
    const push = await runCli(['queue', 'push', '--redis', redis.url, '--queue', 'kill', '-i', 'in.jsonl'], { cwd: dir });
    t.equal(push.code, 0, push.stderr);
    t.match(push.stderr, /pushed 600 records to queue "kill"/);
    const workers = [worker('kill', dir), worker('kill', dir), worker('kill', dir)];
    const results = workers.map(finished);
    // Kill the first worker to take a record, while it holds a batch.
    const startedWorker = (): ChildProcess | undefined => workers.find((w) => existsSync(join(dir, `started-${w.pid}`)));
    await whenInDir(dir, () => startedWorker() !== undefined);
    const victim = startedWorker()!;
    victim.kill('SIGKILL');
    const ended = await Promise.all(results);
    t.equal(ended[workers.indexOf(victim)]!.signal, 'SIGKILL');
    for (const [i, r] of ended.entries()) if (workers[i] !== victim) t.equal(r.code, 0, r.stderr);
    const drain = await runCli(['queue', 'drain', '--redis', redis.url, '--queue', 'kill', '--errors', 'err.jsonl', '--rejected', 'rej.jsonl', '--stats', 'stats.json'], { cwd: dir });
    t.equal(drain.code, 0, drain.stderr);
    const out = lines(drain.stdout).map((r) => r.id as string);
    const errs = lines(await readFile(join(dir, 'err.jsonl'), 'utf8')).map((e) => e.id as string);
    const rej = lines(await readFile(join(dir, 'rej.jsonl'), 'utf8')).map((e) => e.id as string);
    const all = [...out, ...errs, ...rej];
    t.equal(all.length, 600, 'every record once: output, error or rejected');
    t.equal(new Set(all).size, 600);
    t.equal(errs.length, 47, 'the 13th-multiples failed (line numbers kept)');
    const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { conserved: boolean; pushed: number; messages: number };
    t.same([stats.conserved, stats.pushed, stats.messages], [true, 600, 600]);
  });

  t.test('a record that kills its worker reaches the dead-letter stream after --max-deliveries, the rest finish', async (t) => {
    const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': graph, 'in.jsonl': records(40, (i) => (i === 5 ? { poison: true } : {})) });
    t.equal((await runCli(['queue', 'push', '--redis', redis.url, '--queue', 'poison', '-i', 'in.jsonl'], { cwd: dir })).code, 0);
    let deaths = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await finished(worker('poison', dir, ['--max-deliveries', '2']));
      if (res.code === 0) break;
      t.equal(res.signal, 'SIGKILL', 'the poison record killed the worker');
      deaths++;
    }
    t.equal(deaths, 2, 'it was tried twice, then dead-lettered');
    const drain = await runCli(['queue', 'drain', '--redis', redis.url, '--queue', 'poison', '--errors', 'err.jsonl'], { cwd: dir });
    t.equal(drain.code, 0, drain.stderr);
    const errors = lines(await readFile(join(dir, 'err.jsonl'), 'utf8'));
    const dead = errors.find((e) => e.id === 'r5');
    t.match(dead, { line: 6, node: null, error: /^dead-lettered: delivered 2 times/ });
    t.same(errors.map((e) => e.id).sort(), ['r0', 'r13', 'r26', 'r39', 'r5'], 'the failing records and the poison one: no bystander was dead-lettered');
    t.equal(lines(drain.stdout).length, 40 - 5 - 5, 'the others are output (7, 14, 21, 28 and 35 are filtered)');
    t.match(drain.stderr, /drained queue "poison": 40 of 40 records/);
  });

  t.test("worker --metrics-port: the worker's Prometheus metrics while it works", async (t) => {
    // Each record waits for a file named go: the test scrapes while the worker is busy, then lets it finish.
    const held = `import { existsSync, writeFileSync } from 'node:fs';
export default async (r) => {
  writeFileSync('started', '');
  while (!existsSync('go')) await new Promise((ok) => setTimeout(ok, 10));
  return { ...r, done: true };
};
`;
    const dir = t.testdir({ 'held.mjs': held, 'g.yaml': 'nodes:\n  held: { type: code, module: ./held.mjs, concurrency: 4 }\n', 'in.jsonl': records(8) });
    t.equal((await runCli(['queue', 'push', '--redis', redis.url, '--queue', 'metrics', '-i', 'in.jsonl'], { cwd: dir })).code, 0);
    const child = worker('metrics', dir, ['--metrics-port', '0']);
    const done = finished(child);
    const url = await new Promise<string>((resolve) => {
      let seen = '';
      child.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(seen);
        if (m) resolve(m[1]!);
      });
    });
    await whenInDir(dir, () => existsSync(join(dir, 'started')));
    const text = await (await request(url)).body.text();
    t.match(text, /sygra_records_total\{fate="in"\} [1-8]\n/, 'records taken from the queue');
    t.match(text, /sygra_records_in_flight [1-8]\n/, 'and in flight while held');
    t.match(text, /# TYPE sygra_node_latency_seconds histogram/);
    await writeFile(join(dir, 'go'), '');
    const res = await done;
    t.equal(res.code, 0, res.stderr);
  });

  t.test('two workers with one prompt make one HTTP request (the Redis lock); run --redis shares the cache', async (t) => {
    const server = await startMockServer(['--latency-ms', '300']);
    t.teardown(() => server.stop());
    const llm = `models:\n  m: { base_url: ${server.url} }\nnodes:\n  ask:\n    type: llm\n    messages: [ { role: user, content: "{q}" } ]\n    output: answer\n`;
    const dir = t.testdir({ 'g.yaml': llm, 'in.jsonl': records(2, () => ({ q: 'the same question' })) });
    t.equal((await runCli(['queue', 'push', '--redis', redis.url, '--queue', 'lock', '-i', 'in.jsonl'], { cwd: dir })).code, 0);
    const [a, b] = await Promise.all([
      finished(worker('lock', dir, ['--batch', '1', '--prefetch', '1', '--cache-dir', 'c1'])),
      finished(worker('lock', dir, ['--batch', '1', '--prefetch', '1', '--cache-dir', 'c2'])),
    ]);
    t.equal(a.code, 0, a.stderr);
    t.equal(b.code, 0, b.stderr);
    t.equal((await server.stats()).chat_requests, 1, 'one request for two workers');
    const drain = await runCli(['queue', 'drain', '--redis', redis.url, '--queue', 'lock'], { cwd: dir });
    const answers = lines(drain.stdout).map((r) => r.answer);
    t.equal(answers.length, 2);
    t.equal(answers[0], answers[1]);

    // Two plain runs on separate disk caches share the Redis tier: the second pays nothing.
    const input = records(5, (i) => ({ q: `question ${i}` }));
    const first = await runCli(['run', 'g.yaml', '--redis', redis.url, '--cache-dir', 'c3'], { cwd: dir, input });
    const second = await runCli(['run', 'g.yaml', '--redis', redis.url, '--cache-dir', 'c4'], { cwd: dir, input });
    t.equal(first.code, 0, first.stderr);
    t.equal(second.stdout, first.stdout);
    t.equal((await server.stats()).chat_requests, 1 + 5);
  });

  t.test('a worker refuses a graph that reads OASST trees itself (push converted records instead)', async (t) => {
    const dir = t.testdir({ 'g.yaml': 'source: { type: oasst }\nnodes:\n  m: { type: map, set: { x: "1" } }\n' });
    const res = await finished(worker('oasst', dir));
    t.equal(res.code, 2);
    t.match(res.stderr, /a worker takes records, not OASST trees: convert them first/);
  });

  t.test('a Redis that cannot be reached is a one-line error, exit 1', async (t) => {
    const res = await runCli(['queue', 'push', '--redis', 'redis://:secret@127.0.0.1:1', '--queue', 'x'], { input: '{}\n' });
    t.equal(res.code, 1);
    t.match(res.stderr, /^sygra-stream: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    t.notMatch(res.stderr, /secret/);
    t.equal(res.stderr.trim().split('\n').length, 1);
  });
}
