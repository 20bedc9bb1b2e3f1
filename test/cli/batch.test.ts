import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, runCli, startCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';
import { whenInDir } from '../wait-for.js';

const questions = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, q: `question ${i}` })).join('\n') + '\n';
const graph = (models: string): string => `models:\n${models}nodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n`;

t.test('batch: requests go in as many batches as the window holds, answers are those of direct requests, at half price', async (t) => {
  const server = await startMockServer(['--batch-delay-ms', '100']);
  t.teardown(() => server.stop());
  const base = server.url.replace(/\/v1$/, '');
  const input = questions(3000);
  const dir = t.testdir({
    'direct.yaml': graph(`  m: { base_url: ${server.url}, model: gpt-4o-mini, concurrency: 64 }\n`),
    'batch.yaml': graph(`  m: { base_url: ${server.url}, model: gpt-4o-mini, batch: true, concurrency: 1000, batch_window_ms: 1000, batch_poll_ms: 50 }\n`),
    'claude.yaml': graph(`  m: { provider: anthropic, base_url: ${base}, model: claude-haiku-4-5, api_key_env: KEY, batch: true, concurrency: 1000, batch_window_ms: 1000, batch_poll_ms: 50 }\n`),
  });
  const direct = await runCli(['run', 'direct.yaml', '--no-cache', '--stats', 'direct.json'], { cwd: dir, input });
  t.equal(direct.code, 0, direct.stderr);
  const batched = await runCli(['run', 'batch.yaml', '--cache-dir', 'cache', '--stats', 'batch.json'], { cwd: dir, input });
  t.equal(batched.code, 0, batched.stderr);
  t.equal(batched.stdout, direct.stdout, 'the same answers, in input order');
  const stats = await server.stats();
  t.equal(stats.batches_created, 3, '3,000 requests with 1,000 in flight: three batches');
  t.equal(stats.batch_requests, 3000);
  t.equal(stats.files_uploaded, 3);
  type ModelStats = { cost_usd: number; price_source: string; prompt_tokens: number; completion_tokens: number; batches: Array<{ status: string; requests: number; succeeded: number }> };
  const model = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { models: { m: ModelStats } }).models.m;
  const [d, b] = [model('direct.json'), model('batch.json')];
  t.same(
    b.batches.map((x) => [x.status, x.requests, x.succeeded]),
    [
      ['completed', 1000, 1000],
      ['completed', 1000, 1000],
      ['completed', 1000, 1000],
    ],
    '--stats lists the batches and how they ended',
  );
  t.equal(b.prompt_tokens, d.prompt_tokens);
  t.equal(b.cost_usd, Math.round(((b.prompt_tokens * 0.075 + b.completion_tokens * 0.3) / 1e6) * 1e6) / 1e6, 'cost at the batch price: half the list price');
  t.match(b.price_source, /halved for the batch API/);
  const rerun = await runCli(['run', 'batch.yaml', '--cache-dir', 'cache'], { cwd: dir, input });
  t.equal(rerun.stdout, direct.stdout);
  t.equal((await server.stats()).batches_created, 3, 'answers landed in the cache: a rerun submits nothing');

  const claude = await runCli(['run', 'claude.yaml', '--cache-dir', 'cache', '--stats', 'claude.json'], { cwd: dir, input, env: { KEY: 'k' } });
  t.equal(claude.code, 0, claude.stderr);
  t.equal(lines(claude.stdout).length, 3000);
  t.equal((await server.stats()).batches_created, 6, "Anthropic's message batches the same way");
});

t.test('a run killed while its batch is pending, run again, polls the same batch: nothing is submitted twice', async (t) => {
  const server = await startMockServer(['--batch-delay-ms', '2500']);
  t.teardown(() => server.stop());
  const input = questions(200);
  const dir = t.testdir({ 'g.yaml': graph(`  m: { base_url: ${server.url}, model: gpt-4o-mini, batch: true, batch_window_ms: 100, batch_poll_ms: 100 }\n`) });
  const whole = await runCli(['run', 'g.yaml', '--cache-dir', 'whole-cache'], { cwd: dir, input });
  t.equal(whole.code, 0, whole.stderr);
  const before = (await server.stats()).batches_created!;

  const child = startCli(['run', 'g.yaml', '--cache-dir', 'cache', '-o', 'out.jsonl'], { cwd: dir });
  child.stdin!.end(input);
  const journal = join(dir, 'cache', 'batches');
  await whenInDir(dir, () => {
    try {
      return readdirSync(journal).some((f) => readFileSync(join(journal, f), 'utf8').includes('"custom_ids"'));
    } catch {
      return false;
    }
  });
  child.kill('SIGKILL');
  await new Promise((ok) => child.on('exit', ok));
  t.equal((await server.stats()).batches_created, before + 1, 'the killed run had submitted its batch');

  const again = await runCli(['run', 'g.yaml', '--cache-dir', 'cache', '-o', 'out.jsonl', '--stats', 's.json'], { cwd: dir, input });
  t.equal(again.code, 0, again.stderr);
  t.equal((await server.stats()).batches_created, before + 1, 'no new submission');
  t.equal(readFileSync(join(dir, 'out.jsonl'), 'utf8'), whole.stdout, 'the output of an uninterrupted run');
});

t.test('failed and expired requests are sent once more in a new batch, then become error records with their cause', async (t) => {
  for (const [flag, cause] of [
    [['--batch-fail-every', '4'], /batch request failed: injected failure/],
    [['--batch-expire'], /batch request failed: This request could not be executed before the completion window expired/],
  ] as const) {
    const server = await startMockServer(['--batch-delay-ms', '50', ...flag]);
    const dir = t.testdir({ 'g.yaml': graph(`  m: { base_url: ${server.url}, model: gpt-4o-mini, batch: true, batch_window_ms: 100, batch_poll_ms: 30 }\n`) });
    const run = await runCli(['run', 'g.yaml', '--cache-dir', 'cache', '--errors', 'err.jsonl', '--stats', 's.json'], { cwd: dir, input: questions(40) });
    const stats = await server.stats();
    await server.stop();
    t.equal(run.code, 0, run.stderr);
    const errors = lines(readFileSync(join(dir, 'err.jsonl'), 'utf8'));
    const out = lines(run.stdout);
    t.equal(out.length + errors.length, 40, `${flag[0]}: every record out or an error`);
    t.equal(stats.batches_created, 2, `${flag[0]}: the failures went once more, in one new batch`);
    t.ok(errors.length > 0 && out.length > errors.length, `${flag[0]}: ${errors.length} failed twice`);
    for (const e of errors) t.match(e.error, cause);
  }
});

t.test('20,000 requests with 5,000 in flight make four submissions, and every record is answered', async (t) => {
  const server = await startMockServer(['--batch-delay-ms', '50']);
  t.teardown(() => server.stop());
  const dir = t.testdir({ 'g.yaml': graph(`  m: { base_url: ${server.url}, model: gpt-4o-mini, batch: true, concurrency: 5000, batch_window_ms: 1500, batch_poll_ms: 50 }\n`) });
  const run = await runCli(['run', 'g.yaml', '--cache-dir', 'cache', '--stats', 's.json'], { cwd: dir, input: questions(20_000) });
  t.equal(run.code, 0, run.stderr);
  const stats = await server.stats();
  t.equal(stats.batches_created, 4);
  t.equal(stats.batch_requests, 20_000);
  const report = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { records_out: number; conserved: boolean };
  t.equal(report.records_out, 20_000);
  t.equal(report.conserved, true);
});

t.test('--max-cost holds in batch mode, at the batch price', async (t) => {
  const server = await startMockServer(['--batch-delay-ms', '50']);
  t.teardown(() => server.stop());
  // $4,000 and $12,000 per million tokens, halved: a request of at most ~120 tokens may cost up to about $0.64.
  const models = `  m: { base_url: ${server.url}, model: my-model, batch: true, batch_window_ms: 200, batch_poll_ms: 30, params: { max_tokens: 100 }, price: { input_per_mtok: 4000, output_per_mtok: 12000 } }\n`;
  const dir = t.testdir({ 'g.yaml': graph(models) });
  const run = await runCli(['run', 'g.yaml', '--no-cache', '--max-cost', '20', '--errors', 'err.jsonl', '--stats', 's.json'], { cwd: dir, input: questions(200) });
  t.equal(run.code, 3, run.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { conserved: boolean; records_out: number; models: { m: { cost_usd: number; price_source: string } } };
  t.ok(stats.models.m.cost_usd <= 20, `spent ${stats.models.m.cost_usd} of 20`);
  t.ok(stats.records_out > 0 && stats.records_out < 200, `${stats.records_out} answered within the budget`);
  t.equal(stats.conserved, true);
  t.equal(stats.models.m.price_source, 'graph, halved for the batch API');
});
