import t from 'tap';
import { lines, runCli } from '../cli-process.js';

// The README's quick-start commands, run as written (with the cache kept out of the repo).
t.test('quick start: answer.yaml over questions.jsonl on the built-in mock', async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['run', 'fixtures/graphs/answer.yaml', '--input', 'fixtures/questions.jsonl', '--cache-dir', dir, '--rejected', `${dir}/rejected.jsonl`]);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, /using the built-in mock model/);
  const out = lines(res.stdout);
  t.same(
    out.map((r) => r.id),
    ['q1', 'q2', 'q4', 'q5', 'q6'],
  );
  for (const r of out) {
    const messages = r.messages as Array<{ role: string; content: string }>;
    t.same(
      messages.map((m) => m.role),
      ['user', 'assistant'],
    );
    t.equal(messages[0]!.content, r.question);
    const meta = r.meta as { topic: unknown; difficulty: number };
    t.equal(typeof meta.topic, 'string');
    t.ok(Number.isInteger(meta.difficulty) && meta.difficulty >= 1 && meta.difficulty <= 5);
    t.equal(r.answer, undefined, 'unset by the map node');
  }
  t.match(out[3]!.messages, [{ content: 'Explain {curly braces} in a format string, and why {{ escapes them.' }]);
});

t.test('filter.yaml over records.jsonl', async (t) => {
  const res = await runCli(['run', 'fixtures/graphs/filter.yaml', '--input', 'fixtures/records.jsonl']);
  t.equal(res.code, 0, res.stderr);
  const out = lines(res.stdout);
  t.same(
    out.map((r) => r.id),
    ['r1', 'r3', 'r6'],
  );
  t.equal(out[2]!.prompt, (out[2]!.prompt as string).trim(), 'the code node trimmed it');
  t.equal(out[0]!.prompt_chars, (out[0]!.prompt as string).length);
});
