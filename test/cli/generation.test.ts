import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';

const samplerGraph = (concurrency: number): string =>
  [
    'nodes:',
    '  persona: { type: sampler, from: ./personas.jsonl, weights: [5, 3, 1, 1], output: persona }',
    '  topic: { type: sampler, values: [space, cooking, chess, music, law], count: 2, output: topics }',
    `  slow: { type: code, module: ./slow.js, export: slow, concurrency: ${concurrency} }`,
    '',
  ].join('\n');

const files = (concurrency: number): Record<string, string> => ({
  'g.yaml': samplerGraph(concurrency),
  'personas.jsonl': ndjson([{ name: 'teacher' }, { name: 'pirate' }, { name: 'chef' }, { name: 'lawyer' }]),
  // Finishes in a scrambled order, so arrival order differs from input order.
  'slow.js': 'export async function slow(r) { for (let i = 0; i < (r.id * 7) % 5; i++) await new Promise((ok) => setImmediate(ok)); return r }\n',
});

t.test('sampler: the same seed gives byte-identical output at concurrency 1 and 32, ordered or not', async (t) => {
  const input = ndjson(Array.from({ length: 300 }, (_, id) => ({ id })));
  const one = await runCli(['run', 'g.yaml', '--seed', '7'], { cwd: t.testdir(files(1)), input });
  t.equal(one.code, 0, one.stderr);
  const many = await runCli(['run', 'g.yaml', '--seed', '7'], { cwd: t.testdir(files(32)), input });
  t.equal(many.stdout, one.stdout, 'concurrency 32 = concurrency 1');
  const unordered = await runCli(['run', 'g.yaml', '--seed', '7', '--unordered'], { cwd: t.testdir(files(32)), input });
  t.not(unordered.stdout, one.stdout, 'the unordered run did come out in another order');
  t.equal(
    lines(unordered.stdout)
      .sort((a, b) => (a.id as number) - (b.id as number))
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
    one.stdout,
    'byte-identical once sorted',
  );
  const other = await runCli(['run', 'g.yaml', '--seed', '8'], { cwd: t.testdir(files(1)), input });
  t.not(other.stdout, one.stdout, 'another seed, other choices');

  const out = lines(one.stdout);
  const counts: Record<string, number> = {};
  for (const r of out) counts[(r.persona as { name: string }).name] = (counts[(r.persona as { name: string }).name] ?? 0) + 1;
  t.ok(counts.teacher! > counts.chef! && counts.pirate! > counts.lawyer!, `weights respected: ${JSON.stringify(counts)}`);
  t.ok(
    out.every((r) => (r.topics as string[]).length === 2 && new Set(r.topics as string[]).size === 2),
    'count: 2 picks two distinct values',
  );
});

t.test('--generate N feeds empty records with ids', async (t) => {
  const dir = t.testdir(files(4));
  const res = await runCli(['run', 'g.yaml', '--generate', '5', '--seed', '1', '--stats', 's.json'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => r.id),
    [0, 1, 2, 3, 4],
  );
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { records_in: 5, records_out: 5, conserved: true });
  const bad = await runCli(['run', 'g.yaml', '--generate', '5', '--input', 'x.jsonl'], { cwd: dir });
  t.equal(bad.code, 2);
});

t.test('sampler config problems', async (t) => {
  const dir = t.testdir({ 'g.yaml': 'nodes:\n  s: { type: sampler, values: [a, b], weights: [1], output: x }\n  t: { type: sampler, output: y }\n' });
  const res = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(res.code, 2);
  t.match(res.stderr, /g\.yaml:2:\d+ nodes\.s\.weights: 1 weights for 2 choices/);
  t.match(res.stderr, /nodes\.t: a sampler needs exactly one of `values` or `from`/);
});

t.test('multi_llm asks every model; two llm nodes talk in turns with append_to and role_swap', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'models:',
      '  a: { provider: mock, model: model-a }',
      '  b: { provider: mock, model: model-b }',
      'nodes:',
      '  both: { type: multi_llm, models: [a, b], messages: [ { role: user, content: "{question}" } ] }',
      '  seed_turn: { type: map, set: { conversation: "[{ role: \'user\', content: record.question }]" } }',
      '  assistant: { type: llm, model: a, messages_from: conversation, append_to: conversation }',
      '  user_sim:',
      '    type: llm',
      '    model: b',
      '    messages: [ { role: system, content: "You play the user." } ]',
      '    messages_from: conversation',
      '    role_swap: true',
      '    append_to: conversation',
      '    role: user',
      '  closing: { type: llm, model: a, messages_from: conversation, append_to: conversation }',
      '',
    ].join('\n'),
  });
  const res = await runCli(['run', 'g.yaml', '--no-cache'], { cwd: dir, input: ndjson([{ question: 'What is rain?' }]) });
  t.equal(res.code, 0, res.stderr);
  const [r] = lines(res.stdout);
  const responses = r!.responses as Record<string, string>;
  t.same(Object.keys(responses), ['a', 'b']);
  t.not(responses.a, responses.b, 'different models, different answers');
  const conversation = r!.conversation as Array<{ role: string; content: string }>;
  t.same(
    conversation.map((m) => m.role),
    ['user', 'assistant', 'user', 'assistant'],
  );
  t.equal(r!.output, undefined, 'append_to alone writes no output field');
  // The user simulator saw the assistant's answer as a user turn (roles swapped), so the
  // mock's "about ..." names the assistant's text.
  t.match(conversation[2]!.content, `about "${conversation[1]!.content.slice(0, 20)}`);
});
