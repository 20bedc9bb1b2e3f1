import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, lines, ndjson, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';
import { graph, questions, withServer } from './llm-graph.js';

t.test('answers land on the record, in order, with usage in --stats', async (t) => {
  const server = await withServer(t, ['--latency-ms', '5']);
  const dir = t.testdir({ 'g.yaml': graph(server.url) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--stats', 's.json'], { cwd: dir, input: questions(20) });
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout);
  t.same(
    out.map((r) => r.id),
    Array.from({ length: 20 }, (_, i) => i),
  );
  t.ok(out.every((r) => typeof r.answer === 'string' && (r.answer as string).includes(`number ${r.id}?`)));
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { models: Record<string, Record<string, number>> };
  t.match(stats.models.writer, { requests: 20, retries: 0, failures: 0 });
  t.ok(stats.models.writer!.prompt_tokens! > 0 && stats.models.writer!.completion_tokens! > 0);
  t.equal((await server.stats()).chat_requests, 20);
});

t.test('the HTTP mock server and the built-in mock give the same answers', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({ 'http.yaml': graph(server.url), 'mock.yaml': graph(server.url, ['provider: mock']) });
  const viaHttp = await runCli(['run', 'http.yaml', '--no-cache'], { cwd: dir, input: questions(5) });
  const builtIn = await runCli(['run', 'mock.yaml', '--no-cache'], { cwd: dir, input: questions(5) });
  t.equal(viaHttp.stdout, builtIn.stdout);
  t.match(builtIn.stderr, /using the built-in mock model/);
  t.notMatch(viaHttp.stderr, /mock model/);
});

t.test('100 identical requests arriving together make one HTTP call', async (t) => {
  const server = await withServer(t, ['--latency-ms', '50']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['concurrency: 64']) });
  const input = ndjson(Array.from({ length: 100 }, (_, i) => ({ id: i, question: 'the same question' })));
  const res = await runCli(['run', 'g.yaml', '--cache-dir', 'cache', '--stats', 's.json'], { cwd: dir, input });
  t.equal(lines(res.stdout).length, 100);
  t.equal(new Set(lines(res.stdout).map((r) => r.answer)).size, 1);
  t.equal((await server.stats()).chat_requests, 1);
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { models: { writer: { cache: Record<string, number> } } };
  t.equal(stats.models.writer.cache.misses, 1);
  t.equal(stats.models.writer.cache.coalesced! + stats.models.writer.cache.memory_hits!, 99);
});

t.test('a warm rerun makes no request; --no-cache and --cache-read-only behave', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({ 'g.yaml': graph(server.url) });
  const first = await runCli(['run', 'g.yaml', '--cache-dir', 'c'], { cwd: dir, input: questions(30) });
  t.equal((await server.stats()).chat_requests, 30);
  const warm = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--stats', 's.json'], { cwd: dir, input: questions(30) });
  t.equal(warm.stdout, first.stdout);
  t.equal((await server.stats()).chat_requests, 30, 'no new request');
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { models: { writer: { requests: 0, cache: { store_hits: { disk: 30 } } } } });

  await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: questions(30) });
  t.equal((await server.stats()).chat_requests, 60, '--no-cache asks again');

  await runCli(['run', 'g.yaml', '--cache-dir', 'ro', '--cache-read-only'], { cwd: dir, input: questions(2, 'other') });
  await runCli(['run', 'g.yaml', '--cache-dir', 'ro', '--cache-read-only'], { cwd: dir, input: questions(2, 'other') });
  t.equal((await server.stats()).chat_requests, 64, 'read-only stores nothing');
  const summary = await runCli(['cache', 'stats', '--cache-dir', 'c'], { cwd: dir });
  t.match(JSON.parse(summary.stdout), { dir: 'c', entries: 30 });
  const cleared = await runCli(['cache', 'clear', '--cache-dir', 'c'], { cwd: dir });
  t.match(cleared.stdout, /cleared 30 entries/);
  t.match(JSON.parse((await runCli(['cache', 'stats', '--cache-dir', 'c'], { cwd: dir })).stdout), { entries: 0 });
});

t.test('an answer at hand in the cache is the same answer: lines kept, counts kept, logs and provenance too', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({ 'g.yaml': graph(server.url) });
  // Spacing JSON.stringify would not write: the answer is appended to the line as it came.
  const input = '{ "id" : 0, "question" : "q number 0?" }\n{"id":1,"question":"q number 1?","note":"caf\\u00e9"}\n';
  const cold = await runCli(['run', 'g.yaml', '--cache-dir', 'c'], { cwd: dir, input });
  t.equal(cold.code, 0, cold.stderr);
  const warm = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--stats', 's.json', '--log-requests', 'log.jsonl'], { cwd: dir, input });
  t.equal(warm.stdout, cold.stdout, 'warm and cold write the same bytes');
  const out = warm.stdout.split('\n');
  t.ok(out[0]!.startsWith('{ "id" : 0, "question" : "q number 0?" ,"answer":"'), out[0]!);
  t.ok(out[1]!.startsWith('{"id":1,"question":"q number 1?","note":"caf\\u00e9","answer":"'), out[1]!);
  const parsed = lines(warm.stdout);
  t.same(
    parsed.map(({ answer: _, ...rest }) => rest),
    lines(input),
    'each line is its input record',
  );
  t.ok(
    parsed.every((r) => typeof r.answer === 'string'),
    'with the answer',
  );
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { models: { writer: { requests: 0, cache: { store_hits: { disk: 2 }, misses: 0 } } } });
  t.equal((await readFile(join(dir, 'log.jsonl'), 'utf8')).trim(), '', 'no request logged: the cache answered');
  const logged = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--log-requests', 'hits.jsonl', '--log-cache-hits'], { cwd: dir, input });
  t.equal(logged.stdout, cold.stdout);
  t.equal(lines(await readFile(join(dir, 'hits.jsonl'), 'utf8')).length, 2, '--log-cache-hits: each hit logged');
  const traced = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--provenance'], { cwd: dir, input });
  for (const r of lines(traced.stdout)) t.match(r._sygra, { llm_calls: 1, cached: 1 }, 'provenance counts the hit');
  t.equal((await server.stats()).chat_requests, 2, 'only the cold run asked the server');
});

t.test('kill -9 mid-run leaves a cache that a rerun can trust', async (t) => {
  const server = await withServer(t, ['--latency-ms', '10']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['concurrency: 8']), 'mock.yaml': graph(server.url, ['provider: mock']) });
  const input = questions(300);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'in.jsonl'), input);
  const child = spawn(process.execPath, [CLI, 'run', 'g.yaml', '-i', 'in.jsonl', '--cache-dir', 'c'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  let seen = 0;
  child.stdout.on('data', (d: Buffer) => {
    seen += d.toString().split('\n').length - 1;
    if (seen >= 40) child.kill('SIGKILL');
  });
  await once(child, 'close');
  const before = (await server.stats()).chat_requests!;
  t.ok(before < 300, `killed part way (${before} requests)`);
  const rerun = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--cache-dir', 'c'], { cwd: dir });
  const expected = await runCli(['run', 'mock.yaml', '-i', 'in.jsonl', '--no-cache'], { cwd: dir });
  t.equal(rerun.code, 0);
  t.equal(rerun.stdout, expected.stdout, 'every answer is the right one');
  const after = (await server.stats()).chat_requests!;
  t.ok(after - before <= 300 - 40, `the rerun reused what finished (${after - before} new requests)`);
});

t.test('invalid JSON output is retried, then reported with the raw answer', async (t) => {
  const schemaNode = ['json_schema: { type: object, properties: { topic: { type: string }, level: { type: integer, minimum: 1, maximum: 5 } }, required: [topic, level] }'];
  const once1 = await withServer(t, ['--bad-json-first', '1']);
  const dir = t.testdir({ 'g.yaml': graph(once1.url, [], schemaNode), 'bad.yaml': '' });
  const ok = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: questions(3) });
  t.equal(ok.code, 0, ok.stderr);
  const out = lines(ok.stdout);
  t.equal(out.length, 3);
  t.ok(out.every((r) => typeof (r.answer as { topic: unknown }).topic === 'string' && [1, 2, 3, 4, 5].includes((r.answer as { level: number }).level)));
  t.equal((await once1.stats()).chat_requests, 6, 'one retry per record');

  const always = await withServer(t, ['--bad-json-first', '99']);
  const dir2 = t.testdir({ 'g.yaml': graph(always.url, [], [...schemaNode, 'json_retries: 1']) });
  const bad = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir2, input: questions(1) });
  t.equal(bad.stdout, '');
  t.match(lines(await readFile(join(dir2, 'e.jsonl'), 'utf8')), [{ error: /^no valid JSON after 2 attempts: .*; raw answer: Sure! Here it is: \{/ }]);
});

t.test('templates: missing fields are record errors; braces and hostile content pass verbatim', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'models: { m: { provider: mock } }',
      'nodes:',
      '  a:',
      '    type: llm',
      '    messages: [ { role: user, content: "{{literal}} {q.text}" } ]',
      '    output: out',
      '  echo:',
      '    type: code',
      '    module: ./echo.js',
      '',
    ].join('\n'),
    'echo.js': 'export default function (r) { return r }\n',
  });
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text that must stay text
  const hostile = { q: { text: '{secret} }} {{ ${process.exit(1)} `rm -rf`' } };
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([hostile, { q: {} }]) });
  t.equal(res.code, 0, res.stderr);
  const [out] = lines(res.stdout);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the same text, echoed
  t.match(out!.out, 'about "{literal} {secret} }} {{ ${process.exit(1)} `rm -rf`"');
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ line: 2, node: 'a', error: 'missing field "q.text" used in a template' }]);
});

t.test('the API key is sent, and never printed, even when refused', async (t) => {
  const secret = 'sk-test-DO-NOT-PRINT-0123456789';
  const server = await withServer(t, ['--api-key-env', 'SERVER_KEY'], { SERVER_KEY: secret });
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['api_key_env: MY_KEY']) });
  const good = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: questions(1), env: { MY_KEY: secret } });
  t.equal(good.code, 0, good.stderr);
  t.equal(lines(good.stdout).length, 1);

  const wrong = `${secret}-WRONG`;
  const refused = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: questions(1), env: { MY_KEY: wrong } });
  t.equal(refused.code, 1);
  t.match(refused.stderr, /refused the credentials \(HTTP 401\)/);
  const skipped = await runCli(['run', 'g.yaml', '--no-cache', '--no-preflight', '--errors', 'e.jsonl', '--stats', 's.json'], {
    cwd: dir,
    input: questions(1),
    env: { MY_KEY: wrong },
  });
  const everything = [refused.stdout, refused.stderr, skipped.stdout, skipped.stderr, await readFile(join(dir, 'e.jsonl'), 'utf8'), await readFile(join(dir, 's.json'), 'utf8')].join('\n');
  t.match(everything, /HTTP 401/);
  t.notMatch(everything, /DO-NOT-PRINT/);

  const unset = await runCli(['run', 'g.yaml'], { cwd: dir, input: questions(1), env: { MY_KEY: '' } });
  t.equal(unset.code, 2);
  t.match(unset.stderr, /g\.yaml:\d+:\d+ nodes\.answer\.model: environment variable MY_KEY \(api_key_env of model "writer"\) is not set/);
});

t.test('preflight fails fast when an endpoint cannot be reached', async (t) => {
  const server = await startMockServer([]);
  const url = server.url;
  await server.stop();
  const dir = t.testdir({ 'g.yaml': graph(url) });
  const res = await runCli(['run', 'g.yaml', '--stats', 's.json'], { cwd: dir, input: questions(3) });
  t.equal(res.code, 1);
  t.match(res.stderr, /model "writer": cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: ECONNREFUSED/);
  t.match(res.stderr, /no record was read/);
  t.same(
    (await readdir(dir)).filter((f) => f === 's.json'),
    [],
  );
});

t.test('when every request fails, the circuit breaker stops the run with exit 1', async (t) => {
  const server = await withServer(t, ['--error-rate', '1']);
  const dir = t.testdir({ 'g.yaml': graph(server.url, ['retries: 0', 'concurrency: 2', 'retry_window_ms: 0']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl', '--stats', 's.json'], { cwd: dir, input: questions(3000) });
  t.equal(res.code, 1);
  t.match(res.stderr, /model "writer" is failing: 20 failures in a row, the last: HTTP 500/);
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as Record<string, number | boolean>;
  t.equal(stats.conserved, true);
  t.ok((await server.stats()).chat_requests! < 40, 'stopped sending requests');
  t.ok((stats.records_in as number) < 3000, 'stopped taking records');
});

t.test('several endpoints share the load; a dead one rests while the others carry on', async (t) => {
  const a = await withServer(t, ['--latency-ms', '5']);
  const b = await withServer(t, ['--latency-ms', '5']);
  const dead = await startMockServer([]);
  await dead.stop();
  const dir = t.testdir({ 'g.yaml': graph(`[${a.url}, ${b.url}, ${dead.url}]`, ['concurrency: 4']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '--no-preflight', '--stats', 's.json'], { cwd: dir, input: questions(60) });
  t.equal(res.code, 0, res.stderr);
  t.equal(lines(res.stdout).length, 60);
  const [sa, sb] = [await a.stats(), await b.stats()];
  t.equal(sa.chat_requests! + sb.chat_requests!, 60);
  t.ok(sa.chat_requests! >= 10 && sb.chat_requests! >= 10, `both used (${sa.chat_requests} / ${sb.chat_requests})`);
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { models: { writer: { retries: number } } };
  t.ok(stats.models.writer.retries <= 10, `the dead endpoint cost few retries (${stats.models.writer.retries})`);
});

t.test('n samples, multi-turn input from the record, and content parts', async (t) => {
  const server = await withServer(t, []);
  const dir = t.testdir({
    'g.yaml': [
      'models:',
      `  m: { base_url: ${server.url} }`,
      'nodes:',
      '  three:',
      '    type: llm',
      '    messages: [ { role: user, content: "{question}" } ]',
      '    n: 3',
      '    output: samples',
      '  chat:',
      '    type: llm',
      '    messages: [ { role: system, content: "You are kind." } ]',
      '    messages_from: history',
      '    output: reply',
      '  look:',
      '    type: llm',
      '    messages:',
      '      - role: user',
      '        content:',
      '          - { type: text, text: "Describe {question}" }',
      '          - { type: image_url, image_url: { url: "https://example.invalid/{id}.png" } }',
      '    output: seen',
      '',
    ].join('\n'),
  });
  const input = ndjson([
    {
      id: 7,
      question: 'a cat',
      history: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'how are you?' },
      ],
    },
  ]);
  const res = await runCli(['run', 'g.yaml', '--cache-dir', 'c'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  const [r] = lines(res.stdout);
  t.equal((r!.samples as string[]).length, 3);
  t.equal(new Set(r!.samples as string[]).size, 3, 'three different samples');
  t.match(r!.reply, /about "how are you\?"/);
  t.match(r!.seen, /about "Describe a cat/);
  t.equal((await server.stats()).chat_requests, 5);
  const bad = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([{ id: 1, question: 'x', history: 'nope' }]) });
  t.equal(bad.code, 0);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ node: 'chat', error: 'messages_from: field "history" is not an array' }]);
});
