import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, ndjson, runCli } from '../cli-process.js';
import { startMockServer } from '../mock-server-process.js';

t.test('--dry-run N prints the exact requests of the first N records and calls no model', async (t) => {
  const server = await startMockServer([]);
  t.teardown(() => server.stop());
  const dir = t.testdir({
    'g.yaml': [
      'models:',
      `  m: { base_url: ${server.url}, model: real-model, params: { temperature: 0.3 } }`,
      'nodes:',
      '  ask: { type: llm, messages: [ { role: system, content: "Be brief." }, { role: user, content: "Q: {question}" } ], output: answer }',
      '  follow_up: { type: llm, messages: [ { role: user, content: "Shorten: {answer}" } ], output: short }',
      '',
    ].join('\n'),
  });
  const input = ndjson(Array.from({ length: 50 }, (_, i) => ({ id: i, question: `number ${i}?` })));
  const res = await runCli(['run', 'g.yaml', '--dry-run', '3', '--stats', 's.json'], { cwd: dir, input });
  t.equal(res.code, 0, res.stderr);
  const requests = lines(res.stdout) as Array<{ model: string; request: { model: string; temperature: number; messages: Array<{ role: string; content: string }> } }>;
  t.equal(requests.length, 6, 'two requests for each of the first three records, nothing else on stdout');
  t.same(
    requests.filter((r) => r.request.messages.length === 2).map((r) => r.request.messages[1]!.content),
    ['Q: number 0?', 'Q: number 1?', 'Q: number 2?'],
  );
  t.match(requests[0], { model: 'm', request: { model: 'real-model', temperature: 0.3 } });
  t.ok(
    requests.some((r) => r.request.messages[0]!.content.startsWith('Shorten: Mock answer')),
    'later nodes see mock answers',
  );
  const s = await server.stats();
  t.equal(s.requests, 1, 'the only request the server saw is this stats call: no preflight, no chat');
  t.match(JSON.parse(await readFile(join(dir, 's.json'), 'utf8')), { records_in: 3, conserved: true });
  t.equal((await runCli(['run', 'g.yaml', '--dry-run', '0'], { cwd: dir, input })).code, 2);
});
