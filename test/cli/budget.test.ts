import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

const questions = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, q: `Question number ${i}: why is the sky blue?` })).join('\n') + '\n';
const graph = (url: string) =>
  `models:\n  m: { base_url: ${url}, concurrency: 4, params: { max_tokens: 100 }, price: { input_per_mtok: 2000, output_per_mtok: 6000 } }\nnodes:\n  ask:\n    type: llm\n    messages: [ { role: user, content: "{q}" } ]\n    output: answer\n`;

t.test('--max-requests stops before the limit, exit 3, nothing lost; --resume then finishes the rest', async (t) => {
  const server = await startMockServer(['--latency-ms', '20']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': graph(server.url), 'in.jsonl': questions(60) });
  const args = ['run', 'g.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--errors', 'err.jsonl', '--stats', 'stats.json', '--no-cache', '--resume'];
  const res = await runCli([...args, '--max-requests', '10'], { cwd: dir });
  t.equal(res.code, 3, res.stderr);
  t.match(res.stderr, /stopped: the --max-requests budget \(10\) is spent; \d+ in, 10 out, 0 filtered, \d+ errors.*run again with --resume/);
  t.equal((await server.stats()).chat_requests, 10, 'the server saw exactly 10 requests');
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as { conserved: boolean; records_in: number; records_out: number; errors: number };
  t.equal(stats.conserved, true);
  t.equal(stats.records_out, 10);
  const errors = lines(await readFile(join(dir, 'err.jsonl'), 'utf8'));
  t.equal(errors.length, stats.errors);
  t.ok(errors.length > 0, 'records read but not sent are listed');
  for (const e of errors) t.match(e.error, /^not processed: the --max-requests budget \(10\) is spent/);

  const rest = await runCli([...args, '--retry-errors'], { cwd: dir });
  t.equal(rest.code, 0, rest.stderr);
  const out = lines(await readFile(join(dir, 'out.jsonl'), 'utf8'));
  t.same(
    out.map((r) => r.id).sort((a, b) => (a as number) - (b as number)),
    Array.from({ length: 60 }, (_, i) => i),
    'every record once, after the resume',
  );
  t.equal((await server.stats()).chat_requests, 60, 'no request was made twice');
});

t.test('--max-cost never lets spending pass the limit; stats report cost and per-node latency', async (t) => {
  const server = await startMockServer(['--latency-ms', '5']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': graph(server.url), 'in.jsonl': questions(200) });
  const res = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--errors', 'err.jsonl', '--stats', 'stats.json', '--no-cache', '--max-cost', '5'], { cwd: dir });
  t.equal(res.code, 3, res.stderr);
  const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8')) as {
    conserved: boolean;
    records_out: number;
    models: { m: { cost_usd: number; prompt_tokens: number; completion_tokens: number; requests: number } };
    nodes: { ask: { latency_ms: { p50: number; p95: number; p99: number; max: number } } };
  };
  const m = stats.models.m;
  t.ok(m.cost_usd > 0 && m.cost_usd <= 5, `spent $${m.cost_usd} of $5`);
  t.equal(m.cost_usd, Math.round(((m.prompt_tokens * 2000 + m.completion_tokens * 6000) / 1e6) * 1e6) / 1e6, 'cost from tokens and price');
  t.equal(stats.records_out, m.requests);
  t.ok(stats.records_out > 0 && stats.records_out < 200);
  t.equal(stats.conserved, true);
  const l = stats.nodes.ask.latency_ms;
  // Most records were refused at once; the answered ones waited for the 5 ms server.
  t.ok(l.p99 >= 5 && l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
  t.match(res.stderr, /stopped: the --max-cost budget \(\$5\) would be exceeded/);
});

t.test('budget flags are checked; progress shows LLM requests, cache hits, tokens and cost', async (t) => {
  const bad = await runCli(['run', 'x.yaml', '--max-requests', '2.5']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--max-requests takes a whole number/);
  const server = await startMockServer();
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': graph(server.url), 'in.jsonl': questions(5) + questions(5) });
  const res = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--progress', '--cache-dir', 'c'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, /in 10 {2}out 10 {2}filtered 0 {2}errors 0 {2}\d+ rec\/s {2}llm 0 in flight, 5 req, cache 50%, \d+ tok, \$\d+\.\d+ {2}\d+\.\ds/);
  t.match(res.stderr, /={20} 100% ETA 0s \| in 10 /, 'a file of known size gets a bar and an ETA (cli-progress)');
  const piped = await runCli(['run', 'g.yaml', '--progress', '--cache-dir', 'c'], { cwd: dir, input: questions(3) });
  t.match(piped.stderr, /^in 3 {2}out 3 /m, 'stdin: counters only, no bar');
  const quiet = await runCli(['run', 'g.yaml', '-i', 'in.jsonl', '--cache-dir', 'c'], { cwd: dir });
  t.notMatch(quiet.stderr, /rec\/s/, 'no progress when stderr is not a terminal');
});
