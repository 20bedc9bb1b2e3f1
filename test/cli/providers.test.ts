import t from 'tap';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { makeTestCertificate, noOpenssl } from '../test-certificate.js';
import { startConnectProxy } from '../connect-proxy.js';
import { join } from 'node:path';
import { lines, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

const KEY = 'sk-test-7f3a9c1e5b';
const TEAM = 'team-secret-42d1';
const fixtures = join(process.cwd(), 'fixtures', 'graphs');
const toolUse = readFileSync(join(fixtures, 'tool-use.yaml'), 'utf8');
const tasks = readFileSync(join(fixtures, 'tool-use.input.jsonl'), 'utf8');

/** The graph's folder: tool-use.yaml with only its `models:` block changed, and its tools. */
function graphFiles(models: string): Record<string, string> {
  return { 'g.yaml': withModels(models), 'tools.js': readFileSync(join(fixtures, 'tools.js'), 'utf8'), 'capitals.json': readFileSync(join(fixtures, 'capitals.json'), 'utf8') };
}

/** tool-use.yaml with only its `models:` block changed. */
function withModels(models: string): string {
  return toolUse.replace(/^models:\n(?: {2}.*\n)+/m, `models:\n${models}`);
}

const SURFACES: Record<string, (base: string) => string> = {
  openai: (base) => `  tool_model:\n    base_url: ${base}/v1\n    api_key_env: MOCK_KEY\n    headers: { X-Team: "\${TEAM}" }\n    concurrency: 8\n`,
  azure: (base) => `  tool_model:\n    provider: azure\n    base_url: ${base}\n    deployment: gpt-4o-tools\n    api_key_env: MOCK_KEY\n    headers: { X-Team: "\${TEAM}" }\n    concurrency: 8\n`,
  anthropic: (base) =>
    `  tool_model:\n    provider: anthropic\n    base_url: ${base}\n    model: claude-sonnet-4-5\n    api_key_env: MOCK_KEY\n    headers: { X-Team: "\${TEAM}" }\n    concurrency: 8\n`,
};

t.test('one graph, three provider surfaces: only models: changes, and the conversations are alike', async (t) => {
  const server = await startMockServer(['--api-key-env', 'MOCK_KEY', '--require-header', `X-Team: ${TEAM}`], { MOCK_KEY: KEY });
  t.teardown(() => server.stop());
  const base = server.url.replace(/\/v1$/, '');
  const shapes: Record<string, unknown> = {};
  for (const [surface, models] of Object.entries(SURFACES)) {
    const dir = t.testdir(graphFiles(models(base)));
    const run = await runCli(['run', 'g.yaml', '--seed', '7', '--stats', 'stats.json'], { cwd: dir, input: tasks, env: { MOCK_KEY: KEY, TEAM } });
    t.equal(run.code, 0, `${surface}: ${run.stderr}`);
    const records = lines(run.stdout);
    t.equal(records.length, lines(tasks).length, `${surface}: every task answered`);
    for (const r of records) {
      const messages = r.messages as Array<{ role: string; content: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>;
      const calls = messages.flatMap((m) => m.tool_calls ?? []);
      t.ok(calls.length > 0, `${surface} ${String(r.id)}: the model called a tool`);
      for (const call of calls) {
        t.ok(['calculator', 'lookup_capital'].includes(call.function.name), 'a tool the graph offers');
        t.doesNotThrow(() => JSON.parse(call.function.arguments), 'arguments are JSON');
        t.ok(
          messages.some((m) => m.role === 'tool' && m.tool_call_id === call.id),
          `${surface}: the result answers call ${call.id}`,
        );
      }
      const last = messages[messages.length - 1]!;
      t.equal(last.role, 'assistant', 'ends with the answer');
      t.ok(typeof last.content === 'string' && last.content.length > 0);
      t.same(
        (r.tools as Array<{ function: { name: string } }>).map((x) => x.function.name),
        ['calculator', 'lookup_capital'],
        'the tools offered, beside the conversation',
      );
    }
    shapes[surface] = records.map((r) => (r.messages as Array<{ role: string }>).map((m) => m.role));
    const everything = run.stdout + run.stderr + readFileSync(join(dir, 'stats.json'), 'utf8');
    t.notMatch(everything, KEY, `${surface}: the key is nowhere`);
    t.notMatch(everything, TEAM, `${surface}: the header value is nowhere`);
  }
  t.same(shapes.azure, shapes.openai, 'Azure conversations have the turns of OpenAI ones');
  t.same(shapes.anthropic, shapes.openai, 'and so do Anthropic ones, tool calls mapped there and back');
  const stats = await server.stats();
  t.ok(stats.azure_requests! > 0 && stats.anthropic_requests! > 0, 'each surface was spoken');
  t.equal(stats.header_mismatches, 0, 'every request carried the header');
  t.equal(stats.unauthorized, 0, 'and the key, as each provider wants it');
});

t.test('a wrong key or a missing header: refused, and the secrets stay out of every message', async (t) => {
  const server = await startMockServer(['--api-key-env', 'MOCK_KEY', '--require-header', `X-Team: ${TEAM}`], { MOCK_KEY: KEY });
  t.teardown(() => server.stop());
  const base = server.url.replace(/\/v1$/, '');
  for (const [surface, models] of Object.entries(SURFACES)) {
    const dir = t.testdir(graphFiles(models(base)));
    const wrongKey = await runCli(['run', 'g.yaml', '--errors', 'err.jsonl', '--stats', 'stats.json'], { cwd: dir, input: tasks, env: { MOCK_KEY: `${KEY}-old`, TEAM } });
    t.equal(wrongKey.code, 1, `${surface}: ${wrongKey.stderr}`);
    t.match(wrongKey.stderr, /refused the credentials \(HTTP 401\)/);
    const wrongHeader = await runCli(['run', 'g.yaml', '--no-preflight', '--errors', 'err.jsonl', '--stats', 'stats.json'], {
      cwd: dir,
      input: tasks,
      env: { MOCK_KEY: KEY, TEAM: 'someone-else' },
    });
    const errors = readFileSync(join(dir, 'err.jsonl'), 'utf8');
    t.match(errors, /HTTP 400 .*header x-team is missing or wrong/, `${surface}: the server's reason is in --errors`);
    const everything = wrongKey.stdout + wrongKey.stderr + wrongHeader.stdout + wrongHeader.stderr + errors + readFileSync(join(dir, 'stats.json'), 'utf8');
    t.notMatch(everything, KEY.slice(3));
    t.notMatch(everything, TEAM);
    t.notMatch(everything, 'someone-else', 'nor a header value the server refused');
  }
});

t.test('reasoning never leaks into the answer, in each style a server sends it', async (t) => {
  const graph = (models: string) => `models:\n${models}nodes:\n  ask:\n    type: llm\n    messages: [ { role: user, content: "{q}" } ]\n`;
  const input = `${['What is a river?', 'Name a prime number.'].map((q) => JSON.stringify({ q })).join('\n')}\n`;
  const styles: Array<[string, string]> = [
    ['reasoning_content', '  m: { base_url: BASE/v1 }\n'],
    ['reasoning', '  m: { base_url: BASE/v1 }\n'],
    ['think', '  m: { base_url: BASE/v1 }\n'],
    ['none', '  m: { provider: anthropic, base_url: BASE, model: claude-sonnet-4-5, api_key_env: MOCK_KEY, params: { thinking: { type: enabled, budget_tokens: 2048 } } }\n'],
  ];
  for (const [style, models] of styles) {
    const server = await startMockServer(['--reasoning', style]);
    const dir = t.testdir({ 'g.yaml': graph(models.replace('BASE', server.url.replace(/\/v1$/, ''))) });
    const run = await runCli(['run', 'g.yaml', '--stats', 'stats.json'], { cwd: dir, input, env: { MOCK_KEY: KEY } });
    await server.stop();
    t.equal(run.code, 0, run.stderr);
    const label = style === 'none' ? 'anthropic thinking blocks' : style;
    const counted = (JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { models: { m: { reasoning_tokens: number } } }).models.m.reasoning_tokens;
    if (style === 'none') t.equal(counted, 0, 'Anthropic does not report thinking tokens apart');
    else t.ok(counted > 0, `${label}: --stats counts the reasoning tokens the server reported`);
    for (const r of lines(run.stdout)) {
      t.match(r.output, /^Mock answer /, `${label}: the answer is the answer`);
      t.notMatch(r.output, /I consider what is asked|<\/?think>/, `${label}: no reasoning in it`);
      t.match(r.output_reasoning, /^The user asks about ".+"\. I consider what is asked/, `${label}: the reasoning is beside it`);
    }
  }
});

t.test('${VAR} in a graph: read at load; unset, or not a URL, is a config error naming file:line:col (exit 2)', async (t) => {
  const dir = t.testdir({
    'g.yaml': 'models:\n  m:\n    base_url: ${MODEL_URL}\n    headers: { X-Team: "${TEAM}" }\nnodes:\n  a: { type: llm, messages: [ { role: user, content: "costs ${price}, not ${{HOME}}" } ] }\n',
  });
  const unset = await runCli(['validate', 'g.yaml'], { cwd: dir, env: { MODEL_URL: 'http://127.0.0.1:9/v1' } });
  t.equal(unset.code, 2);
  t.match(unset.stderr, /g\.yaml:4:24 models\.m\.headers\.X-Team: environment variable TEAM is not set/);
  const notUrl = await runCli(['validate', 'g.yaml'], { cwd: dir, env: { MODEL_URL: '127.0.0.1:9/v1', TEAM: 'x' } });
  t.equal(notUrl.code, 2);
  t.match(notUrl.stderr, /g\.yaml:3:15 models\.m\.base_url: not an http:\/\/ or https:\/\/ URL/);
  const fine = await runCli(['run', 'g.yaml', '--dry-run', '1'], { cwd: dir, input: '{"price":3}\n', env: { MODEL_URL: 'http://127.0.0.1:9/v1', TEAM: 'x', HOME: '/root' } });
  t.equal(fine.code, 0, fine.stderr);
  t.match(fine.stdout, /costs \$3, not \$\{HOME\}/, 'a lower-case ${field} is left to the template; an upper-case one in doubled braces too');
});

t.test('through HTTPS_PROXY to an HTTPS server signed by a private CA named in ca_file', { skip: noOpenssl }, async (t) => {
  const dir = t.testdir({});
  makeTestCertificate(dir, 'ca.pem');
  const server = await startMockServer(['--tls-cert', join(dir, 'ca.pem'), '--tls-key', join(dir, 'key.pem')]);
  t.teardown(() => server.stop());
  const proxy = await startConnectProxy({ user: 'me', password: 'proxy-pass-3k' });
  t.teardown(() => proxy.close());
  const graph = (ca: string) => `models:\n  m:\n    base_url: ${server.url}\n${ca}nodes:\n  ask: { type: llm, messages: [ { role: user, content: "{q}" } ] }\n`;
  await writeFile(join(dir, 'g.yaml'), graph('    ca_file: ca.pem\n'));
  const run = await runCli(['run', 'g.yaml'], { cwd: dir, input: '{"q":"hello"}\n', env: { HTTPS_PROXY: proxy.url } });
  t.equal(run.code, 0, run.stderr);
  t.match(lines(run.stdout)[0]!.output, /^Mock answer/);
  t.ok(proxy.tunnels >= 1, `through the proxy (${proxy.tunnels} tunnels)`);
  t.notMatch(run.stderr, /proxy-pass-3k/);

  await writeFile(join(dir, 'g.yaml'), graph(''));
  const untrusted = await runCli(['run', 'g.yaml'], { cwd: dir, input: '{"q":"hello"}\n', env: { HTTPS_PROXY: proxy.url } });
  t.equal(untrusted.code, 1);
  t.match(untrusted.stderr, /certificate is not trusted \(name the CA that signed it with ca_file:\)/);
  t.notMatch(untrusted.stderr, /proxy-pass-3k/);
  await writeFile(join(dir, 'g.yaml'), graph('    ca_file: nowhere.pem\n'));
  const missing = await runCli(['validate', 'g.yaml'], { cwd: dir });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /g\.yaml:4:14 models\.m\.ca_file: no such file: .*nowhere\.pem/);
});

t.test('hosted models are priced from the built-in table with no configuration, and --stats says so', async (t) => {
  const server = await startMockServer([]);
  t.teardown(() => server.stop());
  const graph = `models:\n  m: { base_url: ${server.url}, model: gpt-4o-mini-2024-07-18 }\n  mine: { base_url: ${server.url}, model: gpt-4o-mini, price: { input_per_mtok: 1, output_per_mtok: 1 } }\n  local: { base_url: ${server.url}, model: my-finetune }\nnodes:\n  a: { type: llm, model: m, messages: [ { role: user, content: "{q}" } ], output: a }\n  b: { type: llm, model: mine, messages: [ { role: user, content: "{q}" } ], output: b }\n  c: { type: llm, model: local, messages: [ { role: user, content: "{q}" } ], output: c }\nedges:\n  - { from: START, to: a }\n  - { from: a, to: b }\n  - { from: b, to: c }\n  - { from: c, to: END }\n`;
  const dir = t.testdir({ 'g.yaml': graph });
  const run = await runCli(['run', 'g.yaml', '--stats', 's.json'], { cwd: dir, input: '{"q":"hello"}\n' });
  t.equal(run.code, 0, run.stderr);
  const models = (
    JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { models: Record<string, { cost_usd: number | null; price_source: string | null; prompt_tokens: number; completion_tokens: number }> }
  ).models;
  t.match(models.m!.price_source, /^built-in table \(\d{4}-\d{2}\): gpt-4o-mini$/);
  t.equal(models.m!.cost_usd, Math.round(((models.m!.prompt_tokens * 0.15 + models.m!.completion_tokens * 0.6) / 1e6) * 1e6) / 1e6);
  t.equal(models.mine!.price_source, 'graph');
  t.equal(models.local!.price_source, null);
  t.equal(models.local!.cost_usd, null);
});

t.test('a conversation built with append_to keeps the reasoning on its assistant turn for sft; reasoning: drop leaves it out', async (t) => {
  const server = await startMockServer(['--reasoning', 'reasoning_content']);
  t.teardown(() => server.stop());
  const graph = (reasoning: string) => `models:\n  m: { base_url: ${server.url} }\nnodes:\n  ask: { type: llm, messages_from: messages, append_to: messages }\noutput: { format: sft${reasoning} }\n`;
  const dir = t.testdir({ 'keep.yaml': graph(''), 'drop.yaml': graph(', reasoning: drop') });
  const input = '{"id":"r1","messages":[{"role":"user","content":"Is 9.11 larger than 9.9?"}]}\n';
  const keep = await runCli(['run', 'keep.yaml', '--no-cache'], { cwd: dir, input });
  t.equal(keep.code, 0, keep.stderr);
  const turn = (lines(keep.stdout)[0]!.messages as Array<Record<string, unknown>>)[1]!;
  t.match(turn, { role: 'assistant', content: /^Mock answer/, reasoning_content: /^The user asks about/ });
  const drop = await runCli(['run', 'drop.yaml', '--no-cache'], { cwd: dir, input });
  t.same(Object.keys((lines(drop.stdout)[0]!.messages as Array<Record<string, unknown>>)[1]!).sort(), ['content', 'role']);
});
