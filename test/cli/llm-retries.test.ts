import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, runCli } from '../cli-process.js';
import { graph, questions, withServer } from './llm-graph.js';

// Retries, timeouts and limits of the llm node's model, measured by the mock server.
t.test('429 with Retry-After is retried no sooner than asked', async (t) => {
  const server = await withServer(t, ['--fail-first', '1', '--fail-status', '429']);
  const dir = t.testdir({ 'g.yaml': graph(server.url) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--stats', 's.json'], { cwd: dir, input: questions(4) });
  t.equal(res.code, 0, res.stderr);
  t.equal(lines(res.stdout).length, 4);
  const s = await server.stats();
  t.match(s, { chat_requests: 8, errors_injected: 4, early_retries: 0 });
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { models: Record<string, Record<string, number>> };
  t.equal(stats.models.writer!.retries, 4);
});

t.test('5xx and connection resets are retried until they succeed', async (t) => {
  const server = await withServer(t, ['--fail-first', '2', '--reset-first', '1']);
  const dir = t.testdir({ 'g.yaml': graph(server.url) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--stats', 's.json'], { cwd: dir, input: questions(3) });
  t.equal(res.code, 0, res.stderr);
  t.equal(lines(res.stdout).length, 3);
  t.match(await server.stats(), { connections_reset: 3, errors_injected: 6 });
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { models: Record<string, Record<string, number>> };
  t.match(stats.models.writer, { retries: 9, failures: 0 });
});

t.test('retries run out: the record becomes an error naming the status and the retries', async (t) => {
  const server = await withServer(t, ['--fail-first', '10']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['retries: 2', 'retry_window_ms: 0']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir, input: questions(2) });
  t.equal(res.code, 0);
  t.equal(res.stdout, '');
  const errors = lines(await readFile(join(dir, 'e.jsonl'), 'utf8'));
  t.equal(errors.length, 2);
  t.match(errors[0], { line: 1, node: 'answer', error: /^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: .*injected failure.*\(gave up after 2 retries\)$/ });
});

t.test('a timeout is retried, then reported', async (t) => {
  const server = await withServer(t, ['--latency-ms', '1500']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['timeout_ms: 100', 'retries: 1', 'retry_window_ms: 0']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--no-preflight', '--errors', 'e.jsonl'], { cwd: dir, input: questions(1) });
  t.equal(res.code, 0);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ error: /timed out after 100 ms \(gave up after 1 retry\)/ }]);
});

t.test('a 400 is not retried and surfaces as a record error', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['params: { max_tokens: 0 }']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir, input: questions(3) });
  t.equal(res.code, 0);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ error: /^HTTP 400 .*max_tokens must be at least 1/ }, { error: /^HTTP 400/ }, { error: /^HTTP 400/ }]);
  const s = await server.stats();
  t.equal(s.chat_requests, 0, 'rejected before counting as a chat request');
  t.equal(s.requests, 1 + 3 + 1, 'the preflight, three posts and this stats call: no retry');
});

t.test("requests in flight never exceed the model's concurrency (measured by the server)", async (t) => {
  const server = await withServer(t, ['--latency-ms', '20', '--jitter-ms', '10']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['concurrency: 4'], ['concurrency: 32']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--unordered'], { cwd: dir, input: questions(80) });
  t.equal(lines(res.stdout).length, 80);
  const s = await server.stats();
  t.equal(s.max_in_flight, 4);
});

t.test('rpm is respected: requests are spread out, never bunched (measured by the server)', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['rpm: 120', 'concurrency: 16']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--no-preflight'], { cwd: dir, input: questions(10) });
  t.equal(lines(res.stdout).length, 10);
  const s = await server.stats();
  t.equal(s.chat_requests, 10);
  // 120 rpm is 2 a second; with two banked, no one-second window holds more than four.
  t.ok(s.max_per_second! <= 4, `at most 4 in any second (saw ${s.max_per_second})`);
});
