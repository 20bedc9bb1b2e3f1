import t from 'tap';
import { readFile } from 'node:fs/promises';
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
