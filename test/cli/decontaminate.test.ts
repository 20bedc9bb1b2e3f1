import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FIXTURES, lines, ndjson, runCli } from '../cli-process.js';

const BENCH = join(FIXTURES, 'benchmarks', 'arith-test.jsonl');
const graph = (mode: string) => `nodes:\n  decontam:\n    type: decontaminate\n    mode: ${mode}\n    references: [ { name: arith, file: ${JSON.stringify(BENCH)}, field: question } ]\n`;

const chat = (id: string, user: string) => ({
  id,
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: 'Let me work through it step by step.' },
  ],
});
const RECORDS = [
  chat('c1', 'Tom has four times as many marbles as Jerry. Together they have forty five marbles. How many marbles does Jerry have?'),
  chat('ok1', 'How do I sort a list of numbers in Python without changing the original list?'),
  chat('c2', 'quick one -- A TRAIN LEAVES THE STATION AT NINE IN THE MORNING, AND TRAVELS AT SIXTY MILES PER HOUR!! how far by noon?'),
  chat('ok2', 'A baker sells bread. What should she charge to make a profit this month?'),
  chat('c3', 'What is the capital of Australia and which river runs through it?'),
];

t.test('decontaminate: filter drops the copies (naming benchmark and words), tag marks them, clean records pass untouched', async (t) => {
  const dir = t.testdir({ 'filter.yaml': graph('filter'), 'tag.yaml': graph('tag') });
  const input = ndjson(RECORDS);
  const filtered = await runCli(['run', 'filter.yaml', '--rejected', 'rej.jsonl'], { cwd: dir, input });
  t.equal(filtered.code, 0, filtered.stderr);
  t.same(
    lines(filtered.stdout).map((r) => r.id),
    ['ok1', 'ok2'],
  );
  const rejected = lines(await readFile(join(dir, 'rej.jsonl'), 'utf8'));
  t.same(
    rejected.map((r) => r.line),
    [1, 3, 5],
  );
  t.match(rejected[0], { node: 'decontam', reason: 'overlaps arith (row 2) on "tom has four times as many marbles as jerry together they have forty"' });
  t.match(rejected[2], { reason: /^overlaps arith \(row 9\) on "what is the capital of australia and which river runs through it"$/, record: { id: 'c3' } });
  t.match(filtered.stderr, /1 reference texts have fewer than 8 words and are left out/);
  const tagged = await runCli(['run', 'tag.yaml', '-q'], { cwd: dir, input });
  t.equal(tagged.code, 0, tagged.stderr);
  const out = lines(tagged.stdout);
  t.same(out[1], RECORDS[1], 'a clean record gets nothing');
  t.match(out[2], { id: 'c2', contamination: [{ benchmark: 'arith', span: 'a train leaves the station at nine in the morning and travels at' }] });
  const cache = await readdir(join(dir, '.sygra-cache', 'decontamination'));
  t.equal(cache.length, 1, 'the index is kept once, by the content hash of its references');
  const again = await runCli(['run', 'tag.yaml', '-q'], { cwd: dir, input });
  t.equal(again.stdout, tagged.stdout, 'from the kept index: the same answers');
  t.same(await readdir(join(dir, '.sygra-cache', 'decontamination')), cache);
  const elsewhere = await runCli(['run', 'tag.yaml', '-q', '--cache-dir', 'other'], { cwd: dir, input });
  t.equal(elsewhere.stdout, tagged.stdout);
  t.same(await readdir(join(dir, 'other', 'decontamination')), cache, '--cache-dir says where it is kept');
  const none = await runCli(['run', 'tag.yaml', '-q', '--no-cache', '--cache-dir', 'third'], { cwd: dir, input });
  t.equal(none.stdout, tagged.stdout);
  t.notOk(existsSync(join(dir, 'third')), '--no-cache keeps nothing');
});

t.test('decontaminate: a reference file that cannot be read, and a min_words above n, are config errors', async (t) => {
  const dir = t.testdir({
    'g.yaml': 'nodes:\n  d: { type: decontaminate, n: 6, min_words: 9, references: [ { name: x, file: none.jsonl, field: q } ] }\n',
  });
  const res = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(res.code, 2);
  t.match(res.stderr, /min_words \(9\) is above n \(6\)/);
  t.match(res.stderr, /cannot read .*none\.jsonl: ENOENT/);
});

t.test('the oasst-curation example drops a conversation that copies its benchmark fixture, and keeps the rest as they were', async (t) => {
  const dir = t.testdir({});
  const fixture = await readFile(join(FIXTURES, 'graphs', 'oasst-curation.input.jsonl'), 'utf8');
  const message = (id: string, parent: string | null, role: string, text: string, replies: unknown[] = []) => ({
    message_id: id,
    parent_id: parent,
    message_tree_id: 'leak',
    role,
    text,
    lang: 'en',
    rank: role === 'assistant' ? 0 : null,
    deleted: false,
    review_result: true,
    created_date: '2024-01-01T00:00:00',
    labels: { quality: { value: 0.75, count: 3 } },
    replies,
  });
  const leak = {
    message_tree_id: 'leak',
    tree_state: 'ready_for_export',
    prompt: message('lp', null, 'prompter', 'Can you help? Sam saves fifteen dollars a week for a bicycle that costs two hundred and ten dollars. How many weeks?', [
      message('la', 'lp', 'assistant', 'Fourteen weeks: two hundred and ten divided by fifteen is fourteen.'),
    ]),
  };
  const graph = join(FIXTURES, 'graphs', 'oasst-curation.yaml');
  const plain = await runCli(['run', graph, '-q', '--no-cache'], { cwd: dir, input: fixture });
  const leaked = await runCli(['run', graph, '-q', '--no-cache', '--rejected', 'rej.jsonl'], { cwd: dir, input: `${fixture}${JSON.stringify(leak)}\n` });
  t.equal(leaked.code, 0, leaked.stderr);
  t.equal(leaked.stdout, plain.stdout, 'the other conversations come out as without the leak');
  t.match(lines(await readFile(join(dir, 'rej.jsonl'), 'utf8')), [{ node: 'decontaminate', reason: /^overlaps arith-test \(row 8\) on "sam saves fifteen dollars a week/, record: { id: 'la' } }]);
});
