import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

const KEY = 'sk-log-test-5d2e';

t.test('--log-requests: one line per request sent, with its node, record, request, answer, tokens, latency and cost', async (t) => {
  const server = await startMockServer(['--api-key-env', 'MOCK_KEY'], { MOCK_KEY: KEY });
  t.teardown(() => server.stop());
  const graph =
    `models:\n  m: { base_url: ${server.url}, api_key_env: MOCK_KEY, price: { input_per_mtok: 1, output_per_mtok: 2 } }\n` +
    'nodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ], output: a }\n  check: { type: llm, messages: [ { role: user, content: "Is this right? {a}" } ], output: b }\n';
  const dir = t.testdir({ 'g.yaml': graph });
  const input = `${['one', 'two', 'three'].map((q, i) => JSON.stringify({ id: `r${i}`, q })).join('\n')}\n`;
  const env = { MOCK_KEY: KEY };
  const first = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--log-requests', 'log.jsonl', '--resume', '-o', 'out.jsonl'], { cwd: dir, input, env });
  t.equal(first.code, 0, first.stderr);
  const log = lines(readFileSync(join(dir, 'log.jsonl'), 'utf8'));
  t.equal(log.length, 6, 'two calls for each of three records');
  t.equal((await server.stats()).chat_requests, 6);
  const ask = log.find((e) => e.node === 'ask' && e.line === 2)!;
  t.match(ask, {
    node: 'ask',
    line: 2,
    id: 'r1',
    model: 'm',
    provider: 'openai',
    kind: 'chat',
    request: { messages: [{ role: 'user', content: 'two' }] },
    attempt: 1,
    cache: 'miss',
    answer: /^Mock answer/,
    finish_reason: 'stop',
    tokens: { prompt: Number, completion: Number },
  });
  t.ok((ask.latency_ms as number) >= 0 && (ask.cost_usd as number) > 0, 'latency and cost');
  t.ok(
    log.filter((e) => e.node === 'check').every((e) => String((e.request as { messages: Array<{ content: string }> }).messages[0]!.content).startsWith('Is this right? Mock answer')),
    'the request as sent, after templating',
  );
  t.notMatch(readFileSync(join(dir, 'log.jsonl'), 'utf8'), KEY, 'no key in the log');

  const again = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--log-requests', 'log2.jsonl'], { cwd: dir, input, env });
  t.equal(again.code, 0, again.stderr);
  t.equal(readFileSync(join(dir, 'log2.jsonl'), 'utf8'), '', 'a warm cache sends no request: nothing logged');
  const asked = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--log-requests', 'log3.jsonl', '--log-cache-hits'], { cwd: dir, input, env });
  t.equal(asked.code, 0, asked.stderr);
  const cached = lines(readFileSync(join(dir, 'log3.jsonl'), 'utf8'));
  t.same(
    cached.map((e) => [e.cache, e.cost_usd, e.attempt]),
    Array.from({ length: 6 }, () => ['hit', 0, undefined]),
    'with --log-cache-hits: every call a hit, at no cost',
  );
  t.equal((await server.stats()).chat_requests, 6, 'and still no request');
  const alone = await runCli(['run', 'g.yaml', '--log-cache-hits'], { cwd: dir, input, env });
  t.equal(alone.code, 2);
  t.match(alone.stderr, /--log-cache-hits goes with --log-requests FILE/);
  const exported = await runCli(['cache', 'export', '--cache-dir', 'c'], { cwd: dir });
  t.equal(exported.code, 0, exported.stderr);
  const entries = lines(exported.stdout);
  t.equal(entries.length, 6, 'cache export: every cached answer, one line each');
  t.ok(
    entries.every((e) => /^[0-9a-f]{64}$/.test(e.key as string) && /^Mock answer/.test((e.value as { text: string }).text)),
    '{key, value} with the answer as cached',
  );
  t.same(new Set(entries.map((e) => (e.value as { text: string }).text)), new Set(log.map((e) => e.answer)), 'the same answers the log shows');
  const shown = await runCli(['cache', 'show', entries[2]!.key as string, '--cache-dir', 'c'], { cwd: dir });
  t.same(lines(shown.stdout), [entries[2]]);
  const missing = await runCli(['cache', 'show', 'f'.repeat(64), '--cache-dir', 'c'], { cwd: dir });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no completions entry with key f{64}/);
  const clash = await runCli(['run', 'g.yaml', '--log-requests', 'out.jsonl', '-o', 'out.jsonl'], { cwd: dir, input, env });
  t.equal(clash.code, 2, 'the log may not overwrite another output');
});

t.test('--log-requests: a call that fails is logged with its error', async (t) => {
  const server = await startMockServer(['--fail-first', '9', '--fail-status', '400']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': `models:\n  m: { base_url: ${server.url} }\nnodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n` });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--log-requests', 'log.jsonl'], { cwd: dir, input: '{"q":"x"}\n' });
  t.equal(res.code, 0, res.stderr);
  const [entry, ...more] = lines(readFileSync(join(dir, 'log.jsonl'), 'utf8'));
  t.match(entry, { node: 'ask', line: 1, attempt: 1, status: 400, error: /HTTP 400/ });
  t.equal(entry!.answer, undefined);
  t.same(more, [], 'a 400 is not tried again');
});

t.test('--log-requests: exactly one line per HTTP attempt, retries included', async (t) => {
  const server = await startMockServer(['--fail-first', '2', '--fail-status', '503']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': `models:\n  m: { base_url: ${server.url}, retries: 3 }\nnodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n` });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--log-requests', 'log.jsonl'], { cwd: dir, input: '{"id":"x","q":"x"}\n' });
  t.equal(res.code, 0, res.stderr);
  const log = lines(readFileSync(join(dir, 'log.jsonl'), 'utf8'));
  t.equal((await server.stats()).chat_requests, 3, 'the server saw three requests');
  t.match(log, [
    { node: 'ask', line: 1, id: 'x', attempt: 1, status: 503, error: /HTTP 503/ },
    { node: 'ask', line: 1, id: 'x', attempt: 2, status: 503, error: /HTTP 503/ },
    { node: 'ask', line: 1, id: 'x', attempt: 3, cache: 'miss', answer: /^Mock answer/ },
  ]);
  t.equal(log.length, 3, 'and the log has three lines, one each');
});

t.test('--log-requests tells a request that joined an identical one in flight (coalesced) from a miss', async (t) => {
  const server = await startMockServer(['--latency-ms', '50']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': `models:\n  m: { base_url: ${server.url} }\nnodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n` });
  const res = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--log-requests', 'log.jsonl', '--log-cache-hits'], { cwd: dir, input: '{"q":"same"}\n{"q":"same"}\n' });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(readFileSync(join(dir, 'log.jsonl'), 'utf8'))
      .map((e) => e.cache)
      .sort(),
    ['coalesced', 'miss'],
  );
  t.equal((await server.stats()).chat_requests, 1, 'one request for both');
});
