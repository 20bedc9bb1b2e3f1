import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';
import { startMockServer, type MockServerProcess } from '../mock-server-process.js';

const conversations = (n: number): string =>
  ndjson(
    Array.from({ length: n }, (_, i) => ({
      id: `c${i}`,
      messages: [
        { role: 'user', content: `Question ${i}: how do tides work?` },
        { role: 'assistant', content: `Answer ${i}: the moon's gravity pulls the oceans, and the earth turns beneath the bulge.` },
      ],
    })),
  );

function graph(url: string, judge: string[], models = ''): string {
  return ['models:', `  j: { base_url: ${url} }`, models, 'nodes:', '  judge:', '    type: judge', ...judge.map((l) => `    ${l}`), ''].join('\n');
}

const rubric = ['rubric:', '  helpfulness: { scale: [1, 10], weight: 2 }', '  correctness: { scale: [1, 5], weight: 1 }'];

async function server(t: Test, args: string[]): Promise<MockServerProcess> {
  const s = await startMockServer(args);
  t.teardown(() => s.stop());
  return s;
}

for (const style of ['plain', 'prose', 'fence']) {
  t.test(`${style} answers are read; quality.score is the weighted mean on 1–10`, async (t) => {
    const s = await server(t, ['--json-style', style]);
    const dir = t.testdir({ 'g.yaml': graph(s.url, rubric) });
    const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: conversations(5) });
    t.equal(res.code, 0, res.stderr);
    for (const r of lines(res.stdout)) {
      const q = r.quality as { judge: Record<string, { score: number; rationale: string }>; score: number; judge_model: string };
      const h = q.judge.helpfulness!.score;
      const c = q.judge.correctness!.score;
      t.ok(h >= 1 && h <= 10 && c >= 1 && c <= 5);
      t.equal(typeof q.judge.helpfulness!.rationale, 'string');
      // helpfulness is on 1–10 already; correctness 1–5 maps to 1 + 9·(c − 1)/4.
      const expected = Math.round(((2 * h + (1 + (9 * (c - 1)) / 4)) / 3) * 100) / 100;
      t.equal(q.score, expected);
      t.equal(q.judge_model, 'j');
    }
    t.equal((await s.stats()).chat_requests, 5);
  });
}

t.test('out-of-range and missing criteria are asked again, then reported, never defaulted', async (t) => {
  const once = await server(t, ['--json-fault', 'out-of-range', '--json-fault-first', '1']);
  const dir = t.testdir({ 'g.yaml': graph(once.url, rubric) });
  const ok = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: conversations(3) });
  t.equal(lines(ok.stdout).length, 3);
  t.equal((await once.stats()).chat_requests, 6, 'one retry each');

  const always = await server(t, ['--json-fault', 'out-of-range', '--json-fault-first', '99']);
  const dir2 = t.testdir({ 'g.yaml': graph(always.url, [...rubric, 'json_retries: 1']) });
  const bad = await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir2, input: conversations(1) });
  t.equal(bad.stdout, '');
  t.match(lines(await readFile(join(dir2, 'e.jsonl'), 'utf8')), [{ node: 'judge', error: /gave no usable scores after 2 attempts: score for "helpfulness" is 999, outside 1–10/ }]);

  const missing = await server(t, ['--json-fault', 'drop-key', '--json-fault-first', '99']);
  const dir3 = t.testdir({ 'g.yaml': graph(missing.url, [...rubric, 'json_retries: 0']) });
  await runCli(['run', 'g.yaml', '--no-cache', '--errors', 'e.jsonl'], { cwd: dir3, input: conversations(1) });
  t.match(lines(await readFile(join(dir3, 'e.jsonl'), 'utf8')), [{ error: /no score for "helpfulness"/ }]);
});

t.test('only_if skips records without a request; mode filter drops below the threshold', async (t) => {
  const s = await server(t, []);
  const dir = t.testdir({
    'skip.yaml': graph(s.url, [...rubric, 'only_if: "record.id === \'c1\'"']),
    'filter.yaml': graph(s.url, [...rubric, 'mode: filter', 'threshold: 11']),
  });
  const res = await runCli(['run', 'skip.yaml', '--no-cache'], { cwd: dir, input: conversations(4) });
  const out = lines(res.stdout);
  t.equal(out.length, 4);
  t.same(
    out.map((r) => r.quality !== undefined),
    [false, true, false, false],
  );
  t.equal((await s.stats()).chat_requests, 1, 'one request: the other three were never sent');
  const filtered = await runCli(['run', 'filter.yaml', '--no-cache', '--rejected', 'r.jsonl'], { cwd: dir, input: conversations(2) });
  t.equal(filtered.stdout, '');
  t.match(lines(await readFile(join(dir, 'r.jsonl'), 'utf8')), [{ node: 'judge', reason: /^judge score [\d.]+ < 11$/ }, { node: 'judge' }]);
});

t.test('an ensemble records each judge, the mean and the spread', async (t) => {
  const s = await server(t, []);
  const dir = t.testdir({ 'g.yaml': graph(s.url, ['models: [j, k]', ...rubric], `  k: { base_url: ${s.url}, model: second-judge }`) });
  const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: conversations(2) });
  t.equal(res.code, 0, res.stderr);
  for (const r of lines(res.stdout)) {
    const q = r.quality as { judges: Record<string, { score: number }>; score: number; score_spread: number; judge_model: string[] };
    t.same(Object.keys(q.judges), ['j', 'k']);
    const [a, b] = [q.judges.j!.score, q.judges.k!.score];
    t.equal(q.score, Math.round(((a + b) / 2) * 100) / 100);
    t.equal(q.score_spread, Math.round(Math.abs(a - b) * 100) / 100);
    t.same(q.judge_model, ['j', 'k']);
  }
  t.equal((await s.stats()).chat_requests, 4);
});

t.test("category-routed rubrics: classify, then score with that category's criteria (1–5, N/A allowed)", async (t) => {
  const s = await server(t, []);
  const dir = t.testdir({ 'g.yaml': graph(s.url, ['categories: true']) });
  const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: conversations(6) });
  t.equal(res.code, 0, res.stderr);
  const { CATEGORY_RUBRICS } = await import('../../lib/quality/judge.js');
  for (const r of lines(res.stdout)) {
    const q = r.quality as { category: string; judge: Record<string, { score: number | null }> };
    t.ok(q.category in CATEGORY_RUBRICS, q.category);
    t.same(
      Object.keys(q.judge),
      CATEGORY_RUBRICS[q.category]!.map(([name]) => name),
    );
    for (const v of Object.values(q.judge)) t.ok(v.score === null || (v.score >= 1 && v.score <= 5));
  }
  t.equal((await s.stats()).chat_requests, 12, 'a classification and a judgement per record');
});

t.test('pairwise judge asks in both orders and maps the verdicts back', async (t) => {
  const s = await server(t, []);
  const dir = t.testdir({
    'g.yaml': [`models: { j: { base_url: ${s.url} } }`, 'nodes:', '  pick:', '    type: pairwise_judge', '    a: first', '    b: second', ''].join('\n'),
  });
  const input = ndjson([{ prompt: 'Name a prime.', first: '7', second: '8 is prime.' }]);
  const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input });
  const [r] = lines(res.stdout);
  const p = r!.preference as { winner: string; confidence: number; votes: Array<{ order: string; winner: string }> };
  t.ok(['a', 'b', 'tie'].includes(p.winner));
  t.same(
    p.votes.map((v) => v.order),
    ['a,b', 'b,a'],
  );
  t.equal((await s.stats()).chat_requests, 2, 'one request per order');
});

t.test('judge templates: an unknown placeholder is a config error at its line; {reference} and listed fields reach the request', async (t) => {
  const graph = (template: string, more = '') =>
    `nodes:\n  j:\n    type: judge\n    rubric: { correctness: { description: "Agrees with the reference answer." } }\n${more}    template: "${template}"\n`;
  const dir = t.testdir({
    'typo.yaml': graph('Grade {conversation} against {refrence}. {shape} {criteria}', '    reference: gold\n'),
    'unlisted.yaml': graph('Grade {conversation} for {question}. {shape}'),
    'good.yaml': graph('Question: {question}. Reference: {reference}. Grade {conversation}. {shape} {criteria}', '    reference: gold\n    fields: [question]\n'),
    'default.yaml': 'nodes:\n  j: { type: judge, reference: gold }\n',
  });
  const typo = await runCli(['validate', 'typo.yaml'], { cwd: dir });
  t.equal(typo.code, 2);
  t.match(typo.stderr, /typo\.yaml:6:15 nodes\.j\.template: unknown placeholder \{refrence\} \(did you mean "reference"\?\)/);
  const unlisted = await runCli(['validate', 'unlisted.yaml'], { cwd: dir });
  t.equal(unlisted.code, 2);
  t.match(unlisted.stderr, /unknown placeholder \{question\}.*list other record fields it uses under `fields`/);

  const input = `${JSON.stringify({
    question: 'Capital of France?',
    gold: 'Paris, on the Seine.',
    messages: [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Lyon.' },
    ],
  })}\n`;
  const dry = await runCli(['run', 'good.yaml', '--dry-run', '1'], { cwd: dir, input });
  t.equal(dry.code, 0, dry.stderr);
  const asked = (lines(dry.stdout)[0]!.request as { messages: Array<{ content: string }> }).messages[1]!.content;
  t.match(asked, /^Question: Capital of France\?\. Reference: Paris, on the Seine\.\. Grade \[user\]/);
  const builtIn = await runCli(['run', 'default.yaml', '--dry-run', '1'], { cwd: dir, input });
  const prompt = (lines(builtIn.stdout)[0]!.request as { messages: Array<{ content: string }> }).messages[1]!.content;
  t.match(prompt, /Reference answer .*:\nParis, on the Seine\./, 'the built-in prompt grades against the reference');
  t.match(prompt, /first write a one-sentence rationale, then the score/);
  t.match(prompt, /"correctness": \{"rationale": "<one sentence>", "score": <number>\}/, 'rationale before score');
});
