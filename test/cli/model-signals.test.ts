import t from 'tap';
import { lines, ndjson, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';
import { mockPromptLogprobs, mockReward } from '../../lib/llm/mock/scores.js';
import { perplexity } from '../../lib/nodes/ifd.js';

const conv = (q: string, a: string) => ({
  messages: [
    { role: 'user', content: q },
    { role: 'assistant', content: a },
  ],
});

t.test('perplexity: exp of the mean negative log-probability from an offset on', async (t) => {
  const p = { offsets: [0, 5, 10], logprobs: [null, -1, -3] };
  t.equal(perplexity(p, 0), Math.exp(2), 'the first token has no log-probability and is left out');
  t.equal(perplexity(p, 6), Math.exp(3));
  t.equal(perplexity(p, 11), null);
});

t.test('reward: the server score for each conversation, cached', async (t) => {
  const server = await startMockServer();
  t.teardown(() => server.stop());
  const records = [conv('Hi', 'Hello!'), conv('2+2?', '4'), conv('Hi', 'Hello!')];
  const dir = t.testdir({ 'g.yaml': `models:\n  rm: { base_url: ${server.url}, model: reward-1 }\nnodes:\n  score: { type: reward }\n` });
  const res = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '-q'], { cwd: dir, input: ndjson(records) });
  t.equal(res.code, 0, res.stderr);
  t.same(
    lines(res.stdout).map((r) => (r.quality as { reward: number }).reward),
    records.map((r) => mockReward(r.messages)),
  );
  t.equal((await server.stats()).score_requests, 2, 'the repeated conversation cost nothing');
  await runCli(['run', 'g.yaml', '--cache-dir', 'c', '-q'], { cwd: dir, input: ndjson(records) });
  t.equal((await server.stats()).score_requests, 2, 'a rerun is served from the disk cache');
  const bad = await runCli(['run', 'g.yaml', '--no-cache', '-q', '--errors', 'e.jsonl'], { cwd: dir, input: ndjson([{ text: 'no messages' }]) });
  t.equal(bad.code, 0);
  t.match(await import('node:fs/promises').then((f) => f.readFile(`${dir}/e.jsonl`, 'utf8')), /field \\"messages\\" is missing/);
});

t.test('ifd: answer perplexity with and without the instruction, from echoed prompt log-probabilities', async (t) => {
  const server = await startMockServer();
  t.teardown(() => server.stop());
  const related = conv('Describe the red fox and its den', 'The red fox digs its den in soft ground near the forest edge');
  const unrelated = conv('What is the tax rate in Spain', 'The red fox digs its den in soft ground near the forest edge');
  const dir = t.testdir({ 'g.yaml': `models:\n  lm: { base_url: ${server.url} }\nnodes:\n  difficulty: { type: ifd }\n` });
  const res = await runCli(['run', 'g.yaml', '--cache-dir', 'c', '-q'], { cwd: dir, input: ndjson([related, unrelated]) });
  t.equal(res.code, 0, res.stderr);
  const [a, b] = lines(res.stdout).map((r) => (r.quality as { ifd: { ifd: number; ppl_conditioned: number; ppl_answer: number } }).ifd);
  const answer = related.messages[1]!.content;
  const expectedAlone = perplexity(mockPromptLogprobs(answer), 0)!;
  const prefix = `${related.messages[0]!.content}\n\n`;
  const expectedWith = perplexity(mockPromptLogprobs(prefix + answer), prefix.length)!;
  t.equal(a!.ppl_answer, Math.round(expectedAlone * 10_000) / 10_000);
  t.equal(a!.ppl_conditioned, Math.round(expectedWith * 10_000) / 10_000);
  t.equal(a!.ifd, Math.round((expectedWith / expectedAlone) * 10_000) / 10_000);
  t.ok(a!.ifd < b!.ifd, `an instruction that shares the answer's words helps more (${a!.ifd} < ${b!.ifd})`);
  t.equal((await server.stats()).score_requests, 3, 'the answer alone is asked once for both records');
});

t.test('reward and ifd run on the built-in mock with no server; config mistakes are reported', async (t) => {
  const dir = t.testdir({ 'g.yaml': 'nodes:\n  r: { type: reward }\n  d: { type: ifd, instruction: q, response: a }\n' });
  const res = await runCli(['run', 'g.yaml', '--no-cache', '-q'], { cwd: dir, input: ndjson([{ q: 'Name a colour', a: 'Blue is a colour', messages: [{ role: 'user', content: 'x' }] }]) });
  t.equal(res.code, 0, res.stderr);
  t.match(lines(res.stdout)[0], { quality: { reward: Number, ifd: { ifd: Number } } });
  const keyless = t.testdir({ 'g.yaml': 'models:\n  rm: { base_url: "http://127.0.0.1:9/v1", api_key_env: SYGRA_TEST_UNSET_KEY }\nnodes:\n  r: { type: reward }\n' });
  const unset = await runCli(['validate', 'g.yaml'], { cwd: keyless, env: { SYGRA_TEST_UNSET_KEY: '' } });
  t.equal(unset.code, 2);
  t.match(unset.stderr, /nodes\.r\.model: environment variable SYGRA_TEST_UNSET_KEY \(api_key_env of model "rm"\) is not set/, 'every model-using node checks the key variable');
  const bad = t.testdir({ 'g.yaml': 'nodes:\n  d: { type: ifd, instruction: q }\n' });
  const problem = await runCli(['validate', 'g.yaml'], { cwd: bad });
  t.equal(problem.code, 2);
  t.match(problem.stderr, /give both `instruction` and `response`/);
});
