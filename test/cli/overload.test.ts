import t from 'tap';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, startCli, collect } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

function graph(url: string, concurrency: number): string {
  return [
    'models:',
    '  writer:',
    `    base_url: ${url}`,
    `    concurrency: ${concurrency}`,
    'nodes:',
    '  answer:',
    '    type: llm',
    '    model: writer',
    '    messages: [{ role: user, content: "{q}" }]',
    '',
  ].join('\n');
}

const questions = (n: number) => ndjson(Array.from({ length: n }, (_, i) => ({ id: i, q: `Question number ${i}?` })));

t.test('a storm of 429s (the first 200 requests, Retry-After: 1) slows the run down and fails no record', async (t) => {
  const server = await startMockServer(['--fail-requests', '200', '--fail-status', '429']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': graph(server.url, 16) }); // the default concurrency
  const r = await collect(startCli(['run', 'g.yaml', '--no-cache', '--errors', 'errors.jsonl', '--stats', 'stats.json'], { cwd: dir }), questions(300));
  t.equal(r.code, 0, r.stderr);
  t.equal(lines(r.stdout).length, 300, 'every record out');
  t.equal(await readFile(join(dir, 'errors.jsonl'), 'utf8'), '', 'none in --errors');
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8'));
  t.match(stats, { records_out: 300, errors: 0, conserved: true });
  t.ok(stats.models.writer.retries >= 200, `the 429s were retried (${stats.models.writer.retries})`);
  t.match(await server.stats(), { rate_limited: 0, errors_injected: 200 });
});

t.test('a server restarting for 3 seconds mid-run: every record out, exit 0', async (t) => {
  const first = await startMockServer(['--latency-ms', '40']);
  const port = new URL(first.url).port;
  const dir = t.testdir({ 'g.yaml': graph(first.url, 8) });
  const child = startCli(['run', 'g.yaml', '--no-cache', '-o', 'out.jsonl', '--errors', 'errors.jsonl', '--stats', 'stats.json'], { cwd: dir });
  child.stdin!.end(questions(1000));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit');
  // Once the server has answered 50 requests, it goes away...
  while ((await first.stats()).chat_requests! < 50) await new Promise((resolve) => setTimeout(resolve, 10));
  await first.stop();
  // ...for three seconds (the outage is the scenario, not a wait for something), then comes back on its port.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const second = await startMockServer(['--latency-ms', '40', '--port', port]);
  t.teardown(() => second.stop());
  const [code] = (await exited) as [number | null];
  t.equal(code, 0, stderr);
  const out = lines(await readFile(join(dir, 'out.jsonl'), 'utf8'));
  t.equal(out.length, 1000, 'every record out');
  t.same(
    out.map((r) => r.id),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  t.equal(await readFile(join(dir, 'errors.jsonl'), 'utf8'), '');
  t.ok((await second.stats()).chat_requests! > 0, 'the second server answered the rest');
});
