import t from 'tap';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, lines, ndjson, runCli } from '../cli-process.js';

t.test('source: oasst feeds conversations to the graph; output: sft with meta and a schema', async (t) => {
  const dir = t.testdir({
    'g.yaml': [
      'source: { type: oasst, lang: en }',
      'nodes:',
      '  short: { type: filter, when: "record.messages.length <= 2" }',
      'output:',
      '  format: sft',
      '  meta: [tag]',
      '  schema: { type: object, required: [id, messages], properties: { messages: { maxItems: 2 } } }',
      '',
    ].join('\n'),
  });
  const res = await runCli(['run', 'g.yaml', '-i', join(FIXTURES, 'oasst', 'messages.jsonl'), '--stats', 's.json', '--errors', 'e.jsonl'], { cwd: dir });
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout);
  t.same(
    out.map((r) => r.id),
    ['a2', 'a4', 'a8'],
  );
  t.match(out[0], { messages: [{ role: 'user' }, { role: 'assistant', content: 'They use sunlight.' }], meta: { tree_id: 't1', tag: undefined } });
  const stats = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as Record<string, unknown>;
  t.match(stats, { records_in: 5, records_out: 3, filtered: 1, errors: 1, conserved: true }, 'records are conversations (plus the orphan error)');
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ node: 'oasst', error: /p-missing never appeared/ }]);
});

t.test('output: dpo with field mapping, flat strings, and misfits as errors', async (t) => {
  const dir = t.testdir({
    'g.yaml': ['nodes:', '  keep: { type: filter, when: "true" }', 'output: { format: dpo, prompt: q, chosen: good, rejected: bad, id: key }', ''].join('\n'),
    'flat.yaml': 'nodes:\n  keep: { type: filter, when: "true" }\noutput: { format: dpo, prompt: q, chosen: good, rejected: bad, flat: true }\n',
  });
  const input = ndjson([
    { key: 'k1', q: 'Why is the sky blue?', good: 'Rayleigh scattering.', bad: 'Paint.' },
    {
      key: 'k2',
      q: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Bye?' },
      ],
      good: [{ role: 'assistant', content: 'Bye!' }],
      bad: 'No.',
    },
    { key: 'k3', q: 'Same?', good: 'yes', bad: 'yes' },
    { key: 'k4', q: 'Missing rejected', good: 'x' },
    {
      key: 'k5',
      q: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
      good: 'c',
      bad: 'd',
    },
  ]);
  const res = await runCli(['run', 'g.yaml', '--errors', 'e.jsonl'], { cwd: dir, input });
  t.same(lines(res.stdout), [
    { id: 'k1', prompt: [{ role: 'user', content: 'Why is the sky blue?' }], chosen: [{ role: 'assistant', content: 'Rayleigh scattering.' }], rejected: [{ role: 'assistant', content: 'Paint.' }] },
    {
      id: 'k2',
      prompt: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Bye?' },
      ],
      chosen: [{ role: 'assistant', content: 'Bye!' }],
      rejected: [{ role: 'assistant', content: 'No.' }],
    },
  ]);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [
    { line: 3, node: 'output', error: 'chosen and rejected are identical' },
    { line: 4, node: 'output', error: 'bad: expected a non-empty string or [{role: "assistant", content}]' },
    { line: 5, node: 'output', error: 'q: the prompt must end with a user turn' },
  ]);
  const flat = await runCli(['run', 'flat.yaml'], { cwd: dir, input });
  t.match(lines(flat.stdout)[1], { prompt: 'User: Hi\n\nAssistant: Hello\n\nUser: Bye?', chosen: 'Bye!', rejected: 'No.' });
});

t.test('output: sharegpt and oasst from generated conversations; oasst rows read back', async (t) => {
  const dir = t.testdir({
    'share.yaml': 'nodes:\n  k: { type: filter, when: "true" }\noutput: { format: sharegpt, messages: conv }\n',
    'rows.yaml': 'nodes:\n  k: { type: filter, when: "true" }\noutput: { format: oasst, messages: conv }\n',
    'pairs.yaml': 'nodes:\n  k: { type: filter, when: "true" }\noutput: { format: oasst }\n',
  });
  const conv = [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
  ];
  const input = ndjson([
    { id: 'c1', conv },
    {
      id: 'c2',
      conv: [
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'Hi again' },
      ],
    },
  ]);
  const share = await runCli(['run', 'share.yaml', '--errors', 'e.jsonl'], { cwd: dir, input });
  t.same(lines(share.stdout), [
    {
      id: 'c1',
      conversations: [
        { from: 'system', value: 'Be kind.' },
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello!' },
      ],
    },
  ]);
  t.match(lines(await readFile(join(dir, 'e.jsonl'), 'utf8')), [{ line: 2, error: 'conv[1]: expected role "assistant", got "user"' }]);

  const rows = await runCli(['run', 'rows.yaml'], { cwd: dir, input });
  t.same(lines(rows.stdout), [
    { message_id: 'c1', parent_id: null, message_tree_id: 'c1', role: 'prompter', text: 'Hi', lang: null },
    { message_id: 'c1.1', parent_id: 'c1', message_tree_id: 'c1', role: 'assistant', text: 'Hello!', lang: null },
  ]);
  const back = await runCli(['oasst', '-q'], { input: rows.stdout });
  t.match(lines(back.stdout), [
    {
      id: 'c1.1',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    },
  ]);

  const pairRows = await runCli(['run', 'pairs.yaml'], { cwd: dir, input: ndjson([{ id: 'p', prompt: 'Q?', chosen: 'good', rejected: 'bad', lang: 'en' }]) });
  const dpo = await runCli(['oasst', '--mode', 'dpo', '-q'], { input: pairRows.stdout });
  t.match(lines(dpo.stdout), [{ id: 'p.chosen:p.rejected', prompt: [{ role: 'user', content: 'Q?' }], chosen: [{ content: 'good' }], rejected: [{ content: 'bad' }] }]);
});

t.test('output config problems are located', async (t) => {
  const dir = t.testdir({ 'g.yaml': 'nodes:\n  k: { type: filter, when: "true" }\noutput:\n  format: sft\n  messages: "a..b"\n  schema: { type: nonsense }\n  colour: red\n' });
  const res = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(res.code, 2);
  t.match(res.stderr, /g\.yaml:7:3 output\.colour: unknown key "colour"/);
  const dir2 = t.testdir({ 'g.yaml': 'nodes:\n  k: { type: filter, when: "true" }\noutput:\n  format: sft\n  messages: "a..b"\n  schema: { type: nonsense }\n' });
  const res2 = await runCli(['validate', 'g.yaml'], { cwd: dir2 });
  t.equal(res2.code, 2);
  t.match(res2.stderr, /g\.yaml:5:13 output\.messages: "a\.\.b" is not a valid field path/);
  t.match(res2.stderr, /g\.yaml:6:11 output\.schema: invalid JSON Schema/);
});

t.test('tool-use.yaml: sft carries tools, tool calls and results as OpenAI fine-tuning and TRL read them; sharegpt as LLaMA-Factory does', async (t) => {
  const graph = readFileSync(join(FIXTURES, 'graphs', 'tool-use.yaml'), 'utf8');
  const dir = t.testdir({
    'sft.yaml': graph,
    'share.yaml': graph.replace('format: sft', 'format: sharegpt'),
    'tools.js': readFileSync(join(FIXTURES, 'graphs', 'tools.js'), 'utf8'),
    'capitals.json': readFileSync(join(FIXTURES, 'graphs', 'capitals.json'), 'utf8'),
  });
  const input = readFileSync(join(FIXTURES, 'graphs', 'tool-use.input.jsonl'), 'utf8');
  const sft = await runCli(['run', 'sft.yaml', '--seed', '7', '--stats', 's.json'], { cwd: dir, input });
  t.equal(sft.code, 0, sft.stderr);
  t.equal((JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { errors: number }).errors, 0, 'no record failed the sft check');
  for (const line of sft.stdout.trim().split('\n')) {
    // Read back as `datasets` would: a JSON object per line, with exactly these columns.
    const r = JSON.parse(line) as { id: string; messages: Array<Record<string, unknown>>; tools: Array<{ type: string; function: { name: string; parameters: unknown } }> };
    t.same(Object.keys(r).sort(), ['id', 'messages', 'tools']);
    t.ok(r.tools.every((x) => x.type === 'function' && typeof x.function.name === 'string' && typeof x.function.parameters === 'object'));
    const calls = r.messages.flatMap((m) => (m.tool_calls as Array<{ id: string; function: { name: string; arguments: string } }> | undefined) ?? []);
    t.ok(calls.length > 0, `${r.id}: keeps its tool calls`);
    for (const c of calls) {
      t.ok(
        r.tools.some((x) => x.function.name === c.function.name),
        'each call names an offered tool',
      );
      t.type(JSON.parse(c.function.arguments), 'object', 'arguments as a JSON string, as OpenAI writes them');
      const result = r.messages.find((m) => m.role === 'tool' && m.tool_call_id === c.id);
      t.type(result?.content, 'string', 'and its result');
      t.same(Object.keys(result!).sort(), ['content', 'role', 'tool_call_id'], 'tool turns carry only what OpenAI fine-tuning accepts');
    }
    t.equal(r.messages.at(-1)!.role, 'assistant');
  }
  const share = await runCli(['run', 'share.yaml', '--seed', '7'], { cwd: dir, input });
  t.equal(share.code, 0, share.stderr);
  for (const r of lines(share.stdout)) {
    const turns = r.conversations as Array<{ from: string; value: string }>;
    t.same(Object.keys(r).sort(), ['conversations', 'id', 'tools']);
    t.type(JSON.parse(r.tools as string), Array, 'tools: a JSON string, as LLaMA-Factory takes it');
    const roles = turns.map((x) => x.from).filter((f) => f !== 'system');
    // LLaMA-Factory: human or observation at odd places, gpt or function_call at even ones.
    t.ok(
      roles.every((f, i) => (i % 2 === 0 ? f === 'human' || f === 'observation' : f === 'gpt' || f === 'function_call')),
      roles.join(','),
    );
    t.ok(roles.includes('function_call') && roles.includes('observation'));
  }
});
