import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, lines, runCli } from '../cli-process.js';
import { rulesTable } from '../../lib/quality/rules-doc.js';

const DATA = join(ROOT, '..', 'shared', 'data', 'oasst2', 'trees.jsonl');
const graph = join(FIXTURES, 'graphs', 'oasst-curation.yaml');

function check(t: Test, stdout: string): Array<Record<string, unknown>> {
  const out = lines(stdout);
  for (const r of out) {
    const messages = r.messages as Array<{ role: string }>;
    if (messages.at(-1)!.role !== 'assistant') t.fail(`${String(r.id)} does not end with the assistant`);
    const q = (r.meta as { quality: { rules_passed: boolean; failed: string[]; score?: number; judge?: object } }).quality;
    if (q.rules_passed !== (q.failed.length === 0)) t.fail(`${String(r.id)}: rules_passed disagrees with failed`);
    // The judge ran exactly on the records that passed the rules.
    if (q.rules_passed !== (q.judge !== undefined)) t.fail(`${String(r.id)}: judged ${q.judge !== undefined} but rules_passed ${q.rules_passed}`);
    if (q.score !== undefined && (q.score < 1 || q.score > 10)) t.fail(`${String(r.id)}: score ${q.score}`);
  }
  return out;
}

t.test('oasst-curation.yaml on the hand-made fixture', async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['run', graph, '-i', join(FIXTURES, 'oasst', 'trees.jsonl'), '--cache-dir', dir, '--stats', join(dir, 's.json')]);
  t.equal(res.code, 0, res.stderr);
  t.equal(check(t, res.stdout).length, 6);
  t.match(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')), { conserved: true, models: { judge_model: { failures: 0 } } });
});

t.test('oasst-curation.yaml on the shared OASST2 data', { skip: existsSync(DATA) ? false : `no data at ${DATA}` }, async (t) => {
  const dir = t.testdir({});
  const res = await runCli(['run', graph, '-i', DATA, '--cache-dir', dir, '--stats', join(dir, 's.json')]);
  t.equal(res.code, 0, res.stderr);
  const out = check(t, res.stdout);
  t.ok(out.length > 400, `${out.length} conversations`);
  const passed = out.filter((r) => (r.meta as { quality: { rules_passed: boolean } }).quality.rules_passed).length;
  // Human-curated conversations: the rules send at least 95% of them on to the judge (#17).
  t.ok(passed >= out.length * 0.95 && passed < out.length, `${passed} of ${out.length} passed the rules`);
  const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { conserved: boolean; models: { judge_model: { requests: number } } };
  t.equal(stats.conserved, true);
  t.equal(stats.models.judge_model.requests, passed, 'one judge request per record that passed the rules');
});

t.test('docs/quality.md lists every rule with its formula and thresholds (from `sygra-stream rules`)', async (t) => {
  const page = readFileSync(join(ROOT, 'docs', 'quality.md'), 'utf8');
  t.ok(page.includes(rulesTable()), 'docs/quality.md holds the output of `sygra-stream rules`: run `npm run docs`');
  const res = await runCli(['rules']);
  t.equal(res.stdout, rulesTable());
});

t.test("quality_rules with tokenizer: counts in the target model's tokens; a bad file is a config error", async (t) => {
  const tokenizer = join(FIXTURES, 'tokenizers', 'word-level', 'tokenizer.json');
  const dir = t.testdir({
    'g.yaml': `nodes:\n  rules: { type: quality_rules, tokenizer: ${JSON.stringify(tokenizer)}, rules: { tokens_target: { min: 1 } } }\n`,
    'bad.yaml': 'nodes:\n  rules: { type: quality_rules, tokenizer: ./nowhere.json }\n',
  });
  const input = `${JSON.stringify({
    messages: [
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'The sky is blue.' },
    ],
  })}\n`;
  const res = await runCli(['run', 'g.yaml'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  const stats = (lines(res.stdout)[0]!.quality as { stats: { tokens_input: number; tokens_target: number } }).stats;
  t.same([stats.tokens_input, stats.tokens_target], [2, 5]);
  const bad = await runCli(['validate', 'bad.yaml'], { cwd: dir });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /bad\.yaml:2:\d+ nodes\.rules\.tokenizer: cannot read .*nowhere\.json: ENOENT/);
});
