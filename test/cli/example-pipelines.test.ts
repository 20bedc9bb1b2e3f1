import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, lines, runCli } from '../cli-process.js';

const EXAMPLES = ['evol-instruct', 'multi-turn-chat', 'oasst-curation', 'dpo-from-generations', 'self-critique', 'tool-use', 'ultrafeedback', 'multi-model-judge', 'magpie'];

type Msg = { role: string; content: string | null };
const alternates = (messages: Msg[]): boolean => {
  const turns = messages.filter((m) => m.role !== 'system' && m.role !== 'tool' && !(m.role === 'assistant' && m.content === null));
  return turns.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant')) && turns.at(-1)?.role === 'assistant';
};

for (const name of EXAMPLES) {
  t.test(`${name}: runs offline as docs/examples.md says, and its output fits its format`, async (t) => {
    const dir = t.testdir({});
    const graph = join(FIXTURES, 'graphs', `${name}.yaml`);
    const input = readFileSync(join(FIXTURES, 'graphs', `${name}.input.jsonl`), 'utf8');
    const res = await runCli(['run', graph, '--seed', '7', '--cache-dir', dir, '--stats', join(dir, 's.json')], { input });
    t.equal(res.code, 0, res.stderr);
    const out = lines(res.stdout);
    t.ok(out.length > 0, `${out.length} records`);
    const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { conserved: boolean; errors: number };
    t.equal(stats.conserved, true);
    t.equal(stats.errors, 0);
    for (const r of out) {
      if (r.chosen !== undefined) {
        const prompt = r.prompt as Msg[];
        const [chosen, rejected] = [(r.chosen as Msg[])[0]!.content, (r.rejected as Msg[])[0]!.content];
        if (prompt.at(-1)!.role !== 'user' || chosen === rejected) t.fail(`bad pair ${String(r.id)}`);
      } else if (!alternates(r.messages as Msg[])) t.fail(`${String(r.id)}: ${(r.messages as Msg[]).map((m) => m.role).join(',')}`);
    }
    const again = await runCli(['run', graph, '--seed', '7', '--cache-dir', dir, '--unordered'], { input });
    t.same(
      lines(again.stdout).sort((a, b) => String(a.id).localeCompare(String(b.id))),
      [...out].sort((a, b) => String(a.id).localeCompare(String(b.id))),
      'same records with --unordered',
    );
  });
}

t.test("docs/examples.md shows each example's graph as `sygra-stream graph` draws it", async (t) => {
  const readme = readFileSync(join(ROOT, 'docs', 'examples.md'), 'utf8');
  for (const name of EXAMPLES) {
    const res = await runCli(['graph', join('fixtures', 'graphs', `${name}.yaml`)]);
    t.ok(readme.includes(res.stdout), `${name}: paste the output of \`sygra-stream graph fixtures/graphs/${name}.yaml\``);
  }
});

t.test('tool-use against the mock server gives the same tool-calling conversations as the built-in mock', async (t) => {
  const { startMockServer } = await import('../mock-server-process.js');
  const server = await startMockServer([]);
  t.teardown(() => server.stop());
  const graph = join(FIXTURES, 'graphs', 'tool-use.yaml');
  const input = readFileSync(join(FIXTURES, 'graphs', 'tool-use.input.jsonl'), 'utf8');
  const viaHttp = await runCli(['run', graph, '--seed', '7', '--no-cache'], { input, env: { OPENAI_BASE_URL: server.url } });
  const builtIn = await runCli(['run', graph, '--seed', '7', '--no-cache'], { input, env: { OPENAI_BASE_URL: '' } });
  t.equal(viaHttp.code, 0, viaHttp.stderr);
  t.equal(viaHttp.stdout, builtIn.stdout);
  t.ok(
    lines(viaHttp.stdout).every((r) => (r.messages as Array<{ role: string }>).some((m) => m.role === 'tool')),
    'every conversation called a tool',
  );
  t.equal((await server.stats()).chat_requests, 12, 'a tool call and a final answer per task');
});

t.test('--dry-run of every example: every request starts with a user turn after the system prompt, and alternates', async (t) => {
  for (const name of EXAMPLES) {
    const input = readFileSync(join(FIXTURES, 'graphs', `${name}.input.jsonl`), 'utf8');
    const res = await runCli(['run', join(FIXTURES, 'graphs', `${name}.yaml`), '--seed', '7', '--dry-run', '3'], { input });
    t.equal(res.code, 0, res.stderr);
    // Chat requests; raw completions (magpie's pre-query) have a prompt and no turns.
    const requests = lines(res.stdout)
      .filter((r) => (r.request as { messages?: Msg[] } | undefined)?.messages !== undefined)
      .map((r) => (r.request as { messages: Msg[] }).messages);
    if (name !== 'oasst-curation') t.ok(requests.length > 0, `${name}: ${requests.length} requests`);
    for (const messages of requests) {
      const roles = messages.map((m) => m.role).filter((r) => r !== 'system');
      const ok = roles[0] === 'user' && roles.every((r, i) => i === 0 || r === 'tool' || r !== roles[i - 1]);
      if (!ok) t.fail(`${name}: ${roles.join(',')}`);
    }
  }
});

t.test('self-critique: the judge reads the question with the answer, and answers that never pass are filtered', async (t) => {
  const graph = join(FIXTURES, 'graphs', 'self-critique.yaml');
  const input = readFileSync(join(FIXTURES, 'graphs', 'self-critique.input.jsonl'), 'utf8');
  const dir = t.testdir({});
  const res = await runCli(['run', graph, '--seed', '7', '--no-cache', '--rejected', join(dir, 'rej.jsonl')], { input });
  t.equal(res.code, 0, res.stderr);
  for (const r of lines(res.stdout)) t.ok((r.meta as { quality: { score: number } }).quality.score >= 7, `${String(r.id)} passed`);
  const rejected = lines(readFileSync(join(dir, 'rej.jsonl'), 'utf8'));
  t.equal(lines(res.stdout).length + rejected.length, lines(input).length, 'every question written or rejected');
  for (const r of rejected) t.equal(r.node, 'passed');
  const dry = await runCli(['run', graph, '--seed', '7', '--dry-run', '1'], { input });
  const question = lines(input)[0]!.question as string;
  const judged = lines(dry.stdout).filter((r) => r.model === 'critic' && JSON.stringify(r.request).includes('Rate the assistant'));
  t.ok(judged.length > 0 && judged.every((r) => JSON.stringify(r.request).includes(question)), 'the judge request holds the question');
});

t.test('validate warns, with file:line:col, when a model without strict_alternation can get requests its template refuses', async (t) => {
  const node = '    type: llm\n    messages: [ { role: system, content: "You are a user." } ]\n    messages_from: conversation\n    role_swap: true\n';
  const dir = t.testdir({
    'off.yaml': `models:\n  m: { strict_alternation: false }\nnodes:\n  sim:\n${node}`,
    'on.yaml': `models:\n  m: {}\nnodes:\n  sim:\n${node}`,
  });
  const off = await runCli(['validate', 'off.yaml'], { cwd: dir });
  t.equal(off.code, 0, 'a warning, not an error');
  t.match(off.stderr, /off\.yaml:5:5 nodes\.sim: warning: model "m" has strict_alternation off, and with role_swap the history it sends starts with an assistant turn/);
  const on = await runCli(['validate', 'on.yaml'], { cwd: dir });
  t.equal(on.stderr, '', 'with strict_alternation (the default) the request is mended: no warning');
});

t.test("magpie: the query is the model's completion of its template's pre-query, one per record, cached", async (t) => {
  const { startMockServer } = await import('../mock-server-process.js');
  const server = await startMockServer([]);
  t.teardown(() => server.stop());
  const graph = join(FIXTURES, 'graphs', 'magpie.yaml');
  const input = readFileSync(join(FIXTURES, 'graphs', 'magpie.input.jsonl'), 'utf8');
  const dir = t.testdir({});
  const dry = await runCli(['run', graph, '--dry-run', '2'], { input });
  const completions = lines(dry.stdout).filter((r) => (r.request as { prompt?: string }).prompt !== undefined);
  t.equal(completions.length, 2);
  t.equal(
    (completions[0]!.request as { prompt: string }).prompt,
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n',
    'the pre-query, up to where the user would write',
  );
  const first = await runCli(['run', graph, '--cache-dir', dir], { input, env: { OPENAI_BASE_URL: server.url } });
  t.equal(first.code, 0, first.stderr);
  const queries = lines(first.stdout).map((r) => (r.messages as Msg[])[0]!.content);
  t.equal(new Set(queries).size, queries.length, 'a different query for each record');
  t.equal((await server.stats()).completion_requests, lines(input).length);
  const again = await runCli(['run', graph, '--cache-dir', dir], { input, env: { OPENAI_BASE_URL: server.url } });
  t.equal(again.stdout, first.stdout);
  t.equal((await server.stats()).completion_requests, lines(input).length, 'a rerun is answered by the cache');
});
