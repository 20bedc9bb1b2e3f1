import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, lines, runCli, startCli } from '../cli-process.js';
import { haveRedis, startRedis } from '../redis-server-process.js';
import { whenInDir } from '../wait-for.js';

const SLOW = `import { writeFileSync } from 'node:fs';
let started = 0;
export default async (r) => {
  if (++started === 200) writeFileSync('busy-' + process.pid, '');
  await new Promise((ok) => setTimeout(ok, 2));
  if (r.n % 13 === 0) throw new Error('bad ' + r.n);
  return r.n % 7 === 0 ? null : { ...r, done: true };
};
`;

t.test(
  'Redis restarted mid-run (persistence on): drain writes every record exactly once, and no record carries a Redis error',
  { skip: haveRedis ? false : 'redis-server is not installed' },
  async (t) => {
    const dir = t.testdir({ 'slow.mjs': SLOW, 'g.yaml': 'nodes:\n  slow: { type: code, module: ./slow.mjs, concurrency: 8 }\n', data: {} });
    let redis = await startRedis({ dir: join(dir, 'data') });
    const port = Number(new URL(redis.url).port);
    t.teardown(() => redis.stop());
    const count = 3000;
    const input = Array.from({ length: count }, (_, n) => JSON.stringify({ id: `r${n}`, n })).join('\n') + '\n';
    const push = await runCli(['queue', 'push', '--redis', redis.url, '--queue', 'q', '-q'], { input, cwd: dir });
    t.equal(push.code, 0, push.stderr);
    // The drain first, and connected (Redis lists its blocking XREAD) before the worker starts and Redis goes away.
    const drain = startCli(['queue', 'drain', '--redis', redis.url, '--queue', 'q', '-o', 'out.jsonl', '--errors', 'err.jsonl', '--rejected', 'rej.jsonl'], { cwd: dir });
    drain.stdin!.end();
    while (!(await clientList(redis.url)).includes('cmd=xread')) await new Promise((resolve) => setTimeout(resolve, 20));
    // Batches whose acknowledgement was cut off by the restart are taken over after --claim-idle-ms.
    const worker = startCli(['worker', 'g.yaml', '--redis', redis.url, '--queue', 'q', '--exit-when-done', '--batch', '16', '--claim-idle-ms', '1000'], { cwd: dir });
    worker.stdin!.end();
    const workerDone = collect(worker);
    const drainDone = collect(drain);
    // Once the worker has 200 records behind it, Redis stops (saving its data)...
    await whenInDir(dir, () => readdirSync(dir).some((f) => f.startsWith('busy-')), AbortSignal.timeout(60_000));
    await redis.stop();
    // ...and is back three seconds later, on its port, with its data.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    redis = await startRedis({ port, dir: join(dir, 'data') });
    const [w, d] = await Promise.all([workerDone, drainDone]);
    t.equal(w.code, 0, w.stderr);
    t.equal(d.code, 0, d.stderr);
    t.match(w.stderr, /lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+; reconnecting \(commands wait\)/);
    t.match(w.stderr, /reconnected to Redis/);
    const out = lines(readFileSync(join(dir, 'out.jsonl'), 'utf8'));
    const errors = lines(readFileSync(join(dir, 'err.jsonl'), 'utf8'));
    const rejected = lines(readFileSync(join(dir, 'rej.jsonl'), 'utf8'));
    const ids = [...out.map((r) => r.id), ...errors.map((e) => e.id), ...rejected.map((e) => e.id)];
    t.equal(ids.length, count, 'every record accounted for');
    t.equal(new Set(ids).size, count, 'each exactly once');
    t.equal(errors.length, Math.ceil(count / 13), "the only errors are the graph's own");
    t.notMatch(JSON.stringify(errors), /redis|connection|NOGROUP/i, 'no record carries a Redis error');
  },
);

t.test(
  'a Redis that comes back empty: the worker says the queue is gone in one line and stops, or waits with --on-lost wait',
  { skip: haveRedis ? false : 'redis-server is not installed' },
  async (t) => {
    const dir = t.testdir({ 'g.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\n' });
    let redis = await startRedis();
    const port = Number(new URL(redis.url).port);
    t.teardown(() => redis.stop());
    for (const onLost of ['stop', 'wait']) {
      const queue = `lost-${onLost}`;
      await runCli(['queue', 'push', '--redis', redis.url, '--queue', queue, '-q'], { input: '{"id":1}\n', cwd: dir });
      const worker = startCli(['worker', 'g.yaml', '--redis', redis.url, '--queue', queue, '--on-lost', onLost], { cwd: dir });
      worker.stdin!.end();
      let stderr = '';
      let madeAgain: () => void = () => undefined;
      const recreated = new Promise<void>((resolve) => (madeAgain = resolve));
      worker.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/made it again, waiting for records/.test(stderr)) madeAgain();
      });
      const done = collect(worker);
      // The worker is reading once Redis lists it as a consumer of the group.
      while ((await redisConsumers(redis.url, queue)) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await redis.stop();
      redis = await startRedis({ port }); // no persistence: it comes back empty
      if (onLost === 'stop') {
        const r = await done;
        t.equal(r.code, 1);
        t.match(
          r.stderr,
          /worker: the queue's stream sygra:lost-stop:in or its consumer group is gone from Redis \(restarted without persistence\?\); records pushed before are lost and must be pushed again/,
        );
        t.notMatch(r.stderr, /\n\s+at /);
      } else {
        await recreated;
        worker.kill('SIGINT');
        const r = await done;
        t.equal(r.code, 130, r.stderr);
      }
    }
  },
);

async function redisConsumers(url: string, queue: string): Promise<number> {
  const { connectRedis } = await import('../../lib/redis/connect.js');
  const client = await connectRedis(url);
  try {
    const groups = (await client.xinfo('GROUPS', `sygra:${queue}:in`)) as Array<Array<string | number>>;
    return groups.reduce((n, g) => n + Number(g[g.indexOf('consumers') + 1] ?? 0), 0);
  } catch {
    return 0;
  } finally {
    client.disconnect();
  }
}

async function clientList(url: string): Promise<string> {
  const { connectRedis } = await import('../../lib/redis/connect.js');
  const client = await connectRedis(url);
  try {
    return String(await client.client('LIST'));
  } finally {
    client.disconnect();
  }
}
