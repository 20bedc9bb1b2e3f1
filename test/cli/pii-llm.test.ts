import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lines, ndjson, runCli } from '../cli-process.js';

/** An OpenAI-compatible server on loopback whose model names each "Maria Lopez" it reads, and one name it made up. */
async function spanServer(t: Test): Promise<string> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      const request = JSON.parse(body) as { messages: Array<{ role: string; content: string }> };
      const text = request.messages.find((m) => m.role === 'user')!.content;
      const names = [...text.matchAll(/Maria Lopez/g)].map((m) => ({ kind: 'name', text: m[0] }));
      const content = JSON.stringify({ items: [...names, { kind: 'name', text: 'Nobody Here' }] });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          model: 'm',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          usage: { prompt_tokens: 10, completion_tokens: 10 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

t.test('the pii_llm node tags, redacts and filters through the CLI', async (t) => {
  const url = await spanServer(t);
  const input = ndjson([
    {
      id: 1,
      messages: [
        { role: 'user', content: 'Write to Maria Lopez about the rent.' },
        { role: 'assistant', content: 'Dear Maria Lopez, the rent is due.' },
      ],
    },
    {
      id: 2,
      messages: [
        { role: 'user', content: 'what is rain?' },
        { role: 'assistant', content: 'water falling from clouds.' },
      ],
    },
  ]);
  const graph = (options: string): string => `models:\n  m: { base_url: ${url} }\nnodes:\n  pii:\n    type: pii_llm\n${options}`;
  const dir = t.testdir({ 'tag.yaml': graph('    redact: true\n'), 'filter.yaml': graph('    mode: filter\n') });
  const tagged = await runCli(['run', 'tag.yaml', '--no-cache'], { cwd: dir, input });
  t.equal(tagged.code, 0, tagged.stderr);
  const [first, second] = lines(tagged.stdout) as Array<{ messages: Array<{ content: string }>; quality: { pii_llm: Record<string, number> } }>;
  t.same(first!.quality.pii_llm, { name: 1 }, 'one verified name; the made-up one is not counted');
  t.equal(first!.messages[0]!.content, 'Write to [NAME] about the rent.');
  t.equal(first!.messages[1]!.content, 'Dear [NAME], the rent is due.');
  t.same(second!.quality.pii_llm, {});
  const filtered = await runCli(['run', 'filter.yaml', '--no-cache'], { cwd: dir, input });
  t.equal(filtered.code, 0, filtered.stderr);
  t.same(
    lines(filtered.stdout).map((r) => r.id),
    [2],
    'the record holding a name is dropped',
  );
});
