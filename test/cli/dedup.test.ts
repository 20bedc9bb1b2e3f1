import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, ROOT, runCli } from '../cli-process.js';
import { startMockServer, type MockServerProcess } from '../mock-server-process.js';

const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2');

function graph(dedup: string[], models = ''): string {
  return [models, 'nodes:', '  dedup:', '    type: dedup', ...dedup.map((l) => `    ${l}`), ''].join('\n');
}

async function run(t: Test, yaml: string, input: string, args: string[] = []) {
  const dir = t.testdir({ 'g.yaml': yaml });
  const res = await runCli(['run', 'g.yaml', '--rejected', 'rejected.jsonl', '--errors', 'errors.jsonl', '--no-cache', ...args], { cwd: dir, input });
  const side = async (f: string) => (existsSync(join(dir, f)) ? lines(await readFile(join(dir, f), 'utf8')) : []);
  return { ...res, out: lines(res.stdout), rejected: await side('rejected.jsonl'), errors: await side('errors.jsonl'), dir };
}

const boilerplate = 'Thank you for your question. Please note that this answer is provided for general information only and is not professional advice. ';

t.test('exact: whitespace and case variants are dropped, naming the first line; kept lines pass through byte for byte', async (t) => {
  const input =
    [
      '{"text": "Hello   World",  "n": 1}',
      JSON.stringify({ text: 'hello world', n: 2 }),
      JSON.stringify({ text: 'Hello world!', n: 3 }),
      JSON.stringify({ text: 'ＨＥＬＬＯ world', n: 4 }),
      JSON.stringify({ text: boilerplate + 'Paris is the capital of France.', n: 5 }),
      JSON.stringify({ text: boilerplate + 'Rome is the capital of Italy.', n: 6 }),
    ].join('\n') + '\n';
  const res = await run(t, graph(['field: text']), input);
  t.equal(res.code, 0, res.stderr);
  t.same(
    res.out.map((r) => r.n),
    [1, 3, 5, 6],
    'punctuation counts by default; shared boilerplate is not a repeat',
  );
  t.equal(res.stdout.split('\n')[0], '{"text": "Hello   World",  "n": 1}', 'the kept line is written as it came');
  t.same(
    res.rejected.map((r) => [r.line, r.node, r.reason]),
    [
      [2, 'dedup', 'duplicate of line 1 (exact, similarity 1)'],
      [4, 'dedup', 'duplicate of line 1 (exact, similarity 1)'],
    ],
  );

  const punct = await run(t, graph(['field: text', 'normalize: { punctuation: true }']), input);
  t.same(
    punct.out.map((r) => r.n),
    [1, 5, 6],
  );
});

t.test('exact on conversations: roles matter; turns: assistant compares the answers only', async (t) => {
  const conv = (u: string, a: string) => ({
    messages: [
      { role: 'user', content: u },
      { role: 'assistant', content: a },
    ],
  });
  const input = ndjson([conv('Hi', 'Hello!'), conv('Hello!', 'Hi'), conv('Hey', 'Hello!'), conv('Hi', 'Hello!')]);
  const all = await run(t, graph([]), input);
  t.same(
    all.rejected.map((r) => r.line),
    [4],
  );
  const answers = await run(t, graph(['turns: assistant']), input);
  t.same(
    answers.rejected.map((r) => r.line),
    [3, 4],
  );
});

t.test('tag mode keeps every record and writes dedup.{duplicate_of, similarity}', async (t) => {
  const input = ndjson([{ text: 'a b c' }, { text: 'A  B C' }, { text: 'd' }]);
  const res = await run(t, graph(['field: text', 'mode: tag', 'output: meta.dup']), input);
  t.same(
    res.out.map((r) => (r.meta as { dup: unknown }).dup),
    [
      { duplicate_of: null, similarity: null },
      { duplicate_of: 1, similarity: 1 },
      { duplicate_of: null, similarity: null },
    ],
  );
});

t.test('a record without the field is an error with its line; the others go on', async (t) => {
  const res = await run(t, graph(['field: text']), ndjson([{ text: 'x' }, { other: 1 }, { text: 'x' }]));
  t.equal(res.code, 0);
  t.same(
    res.errors.map((e) => [e.line, e.error]),
    [[2, 'dedup field "text" is missing']],
  );
  t.same(
    res.rejected.map((r) => r.line),
    [3],
  );
});

t.test('config mistakes are reported with their place, exit 2', async (t) => {
  const res = await run(t, graph(['method: exact', 'threshold: 0.9', 'permutations: 64', 'field: "a..b"']), '');
  t.equal(res.code, 2);
  t.match(res.stderr, /g\.yaml:\d+:\d+ nodes\.dedup\.threshold: `threshold` applies to methods minhash and semantic/);
  t.match(res.stderr, /`permutations` applies to method minhash, not exact/);
  t.match(res.stderr, /empty segment/);
  const sem = await run(t, graph(['method: semantic', 'model: nope']), '');
  t.equal(sem.code, 2);
  t.match(sem.stderr, /no model named "nope"/);
});

t.test('exact: a full memory budget names the fix; spill_dir carries on with the same answers', async (t) => {
  const input = ndjson(Array.from({ length: 3000 }, (_, i) => ({ text: `record ${i % 2000}` })));
  const tight = await run(t, graph(['field: text', 'max_memory_mb: 0.01']), input);
  t.ok(tight.errors.length > 0);
  t.match(tight.errors[0]!.error, /memory budget \(0 MB\) is full after \d+ distinct texts: raise max_memory_mb, or set spill_dir/);
  t.equal(tight.out.length + tight.rejected.length + tight.errors.length, 3000, 'nothing lost');

  const spilled = await run(t, graph(['field: text', 'max_memory_mb: 0.01', 'spill_dir: spill']), input);
  const roomy = await run(t, graph(['field: text']), input);
  t.equal(spilled.code, 0, spilled.stderr);
  t.equal(spilled.errors.length, 0);
  t.equal(spilled.out.length, 2000);
  t.same(spilled.rejected, roomy.rejected, 'the disk set gives the answers the memory set gives');
  t.same(spilled.stdout, roomy.stdout);
});

t.test('minhash: near copies (spacing, case, one word, a sentence swap) dropped; texts sharing boilerplate kept', async (t) => {
  const story = Array.from({ length: 8 }, (_, i) => `Sentence number ${i} tells about topic ${i * 7} with detail ${i * 13} and more words here.`);
  const texts = [
    story.join(' '),
    story.join('  ').toUpperCase(),
    [...story.slice(0, 3), story[4], story[3], ...story.slice(5)].join(' '),
    story.join(' ').replace('detail 13', 'detail 14'),
    boilerplate + 'The mitochondria produce most of the energy a cell needs to live and grow.',
    boilerplate + 'Volcanoes form where magma rises through cracks in the crust of the earth.',
  ];
  const input = ndjson(texts.map((text, i) => ({ text, i })));
  const res = await run(t, graph(['method: minhash', 'field: text']), input);
  t.equal(res.code, 0, res.stderr);
  t.same(
    res.out.map((r) => r.i),
    [0, 4, 5],
  );
  t.same(
    res.rejected.map((r) => r.line),
    [2, 3, 4],
  );
  for (const r of res.rejected) t.match(r.reason, /^duplicate of line 1 \(minhash, similarity 0\.\d+|1\)$/);
  // Deterministic: the same seed gives the same tags, run after run.
  const tagged = async (): Promise<string> => (await run(t, graph(['method: minhash', 'field: text', 'mode: tag']), input, ['--seed', '3'])).stdout;
  t.equal(await tagged(), await tagged());
});

t.test('semantic against mock-server: paraphrases dropped, requests batched and cached, same answers at any concurrency', async (t) => {
  const server: MockServerProcess = await startMockServer(['--latency-ms', '5']);
  t.teardown(() => server.stop());
  const questions = ['How do I bake bread at home?', 'How can I bake breads at home', 'What is the capital of France?', 'The capital of France is what', 'Explain photosynthesis in plants.'];
  const input = ndjson(Array.from({ length: 200 }, (_, i) => ({ text: `${questions[i % 5]} (${Math.floor(i / 5)})`, i })));
  const models = `models:\n  embedder: { base_url: ${server.url}, model: mock-embed, batch_size: 16 }`;
  const dedup = (concurrency: number) => graph(['method: semantic', 'field: text', 'model: embedder', `concurrency: ${concurrency}`, 'threshold: 0.9'], models);
  const dir = t.testdir({ 'a.yaml': dedup(64), 'b.yaml': dedup(1) });
  const first = await runCli(['run', 'a.yaml', '--rejected', 'rej.jsonl'], { cwd: dir, input });
  t.equal(first.code, 0, first.stderr);
  const kept = lines(first.stdout).map((r) => r.i as number);
  // Number suffixes differ, so each question and its paraphrase share all but one content word.
  t.ok(kept.includes(0) && !kept.includes(1), 'the paraphrase after its original is dropped');
  t.ok(kept.includes(2) && !kept.includes(3));
  const rejected = lines(await readFile(join(dir, 'rej.jsonl'), 'utf8'));
  t.equal(rejected.length + kept.length, 200);
  t.match(rejected.find((r) => r.line === 2)!.reason, /^duplicate of line 1 \(semantic, similarity 0\.9\d*|1\)$/);
  const stats = await server.stats();
  t.equal(stats.embedding_inputs, 200, 'every text embedded once');
  t.ok(stats.embedding_requests! <= 200 / 16 + 10, `batched: ${stats.embedding_requests} requests`);

  const again = await runCli(['run', 'b.yaml'], { cwd: dir, input });
  t.equal(again.stdout, first.stdout, 'concurrency 1 decides as concurrency 64 does');
  t.equal((await server.stats()).embedding_inputs, 200, 'the rerun is served from the disk cache');
  const unordered = await runCli(['run', 'a.yaml', '--no-cache'], { cwd: dir, input });
  t.equal(unordered.stdout, first.stdout, 'and with every answer fetched afresh');
});

t.test('semantic on the built-in mock needs no server; shared boilerplate is not a repeat', async (t) => {
  const input = ndjson([
    { q: 'Bake bread at home?' },
    { q: 'How to bake bread at home' },
    { q: 'Tides and the moon' },
    { q: boilerplate + 'Why is the sky blue during the day?' },
    { q: boilerplate + 'Which metals conduct electricity best?' },
  ]);
  for (const index of ['lsh', 'exact']) {
    const res = await run(t, graph(['method: semantic', 'field: q', 'threshold: 0.9', `index: ${index}`]), input);
    t.equal(res.code, 0, res.stderr);
    t.same(
      res.out.map((r) => r.q),
      ['Bake bread at home?', 'Tides and the moon', boilerplate + 'Why is the sky blue during the day?', boilerplate + 'Which metals conduct electricity best?'],
      index,
    );
    t.match(res.stderr, /built-in mock model/);
  }
});

t.test('behind an async node that finishes out of order, ordered runs keep the same records at any concurrency', async (t) => {
  const records = ndjson(Array.from({ length: 300 }, (_, i) => ({ i, text: `Item ${i % 40} is described here with several words of text to shingle` })));
  const outputs: string[] = [];
  for (const method of ['exact', 'minhash']) {
    for (const concurrency of [1, 32]) {
      const dir = t.testdir({
        'slow.mjs': 'export default async (r) => { await new Promise((ok) => setTimeout(ok, (r.i * 7919) % 13)); return r; };\n',
        'g.yaml': `nodes:\n  slow: { type: code, module: ./slow.mjs, concurrency: ${concurrency} }\n  dedup: { type: dedup, method: ${method}, field: text }\nedges:\n  - { from: START, to: slow }\n  - { from: slow, to: dedup }\n  - { from: dedup, to: END }\n`,
      });
      const res = await runCli(['run', 'g.yaml'], { cwd: dir, input: records });
      t.equal(res.code, 0, res.stderr);
      outputs.push(res.stdout);
    }
  }
  t.equal(outputs[0], outputs[1], 'exact: concurrency 1 and 32 agree');
  t.equal(outputs[2], outputs[3], 'minhash: concurrency 1 and 32 agree');
  t.same(
    lines(outputs[0]!).map((r) => r.i),
    Array.from({ length: 40 }, (_, i) => i),
    'the first of each repeated text is the one kept',
  );
});

/** Word 3-shingle Jaccard similarity, computed directly (the test's own reference); CJK characters count as words. */
function jaccard(a: string, b: string): number {
  const grams = (s: string): Set<string> => {
    const w = s.toLowerCase().match(/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|[\p{L}\p{N}]+/gu) ?? [];
    return new Set(w.map((_, i) => w.slice(i, i + 3).join(' ')));
  };
  const x = grams(a);
  const y = grams(b);
  let inter = 0;
  for (const g of x) if (y.has(g)) inter++;
  return inter / (x.size + y.size - inter || 1);
}

/** A light perturbation: case and spacing changed throughout, commas dropped, and one word left out of turns of 40 words or more. */
function perturb(text: string, seed: number): string {
  let state = seed;
  const rand = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const words = text.replaceAll(',', '').split(' ');
  if (words.length >= 40) words.splice(1 + Math.floor(rand() * (words.length - 1)), 1);
  return words.map((w) => (rand() < 0.1 ? w.toUpperCase() : w)).join(rand() < 0.5 ? '  ' : ' ');
}

t.test('shared OASST2 data: minhash finds ≥ 95% of planted near-duplicates with < 1% false drops', { skip: existsSync(join(DATA, 'trees.jsonl')) ? false : `no data at ${DATA}` }, async (t) => {
  const converted = await runCli(['oasst', '-i', join(DATA, 'trees.jsonl'), '-q']);
  t.equal(converted.code, 0, converted.stderr);
  type Conversation = { id: string; messages: Array<{ role: string; content: string }> };
  const all = lines(converted.stdout) as unknown as Conversation[];
  const textOf = (c: Conversation) => c.messages.map((m) => m.content).join('\n');
  // A base without near-duplicates of its own (paths of one tree share turns), by the reference measure.
  const base: Conversation[] = [];
  for (const c of all) if (base.every((b) => jaccard(textOf(b), textOf(c)) < 0.5)) base.push(c);
  t.ok(base.length >= 300, `${base.length} distinct conversations`);
  const planted: Conversation[] = [];
  base.forEach((c, i) => {
    if (i % 10 === 3) planted.push({ id: `copy-of-${c.id}`, messages: c.messages.map((m, j) => ({ role: m.role, content: perturb(m.content, i * 31 + j) })) });
  });
  // Copies come after their originals, interleaved through the rest.
  const records: Conversation[] = [];
  base.forEach((c, i) => {
    records.push(c);
    if (i % 10 === 9) records.push(...planted.splice(0, 1));
  });
  records.push(...planted);
  const plantedCount = records.filter((r) => r.id.startsWith('copy-of-')).length;
  t.equal(plantedCount, Math.ceil((base.length - 3) / 10));

  const res = await run(t, graph(['method: minhash']), ndjson(records));
  t.equal(res.code, 0, res.stderr);
  const dropped = res.rejected.map((r) => (r.record as Conversation).id);
  const found = dropped.filter((id) => id.startsWith('copy-of-')).length;
  const falseDrops = dropped.length - found;
  t.ok(found / plantedCount >= 0.95, `found ${found} of ${plantedCount} planted copies`);
  t.ok(falseDrops / base.length < 0.01, `${falseDrops} originals dropped of ${base.length}`);
  // Each found copy names its original's line.
  const lineOf = new Map(records.map((r, i) => [r.id, i + 1]));
  for (const r of res.rejected) {
    const id = (r.record as Conversation).id;
    if (id.startsWith('copy-of-')) t.match(r.reason, new RegExp(`^duplicate of line ${lineOf.get(id.slice(8))} `));
  }
});
