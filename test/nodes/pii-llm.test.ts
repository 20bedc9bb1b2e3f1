import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSpans, verifiedSpans } from '../../lib/nodes/pii-llm.js';
import { lines, ndjson, runCli } from '../cli-process.js';

t.test('only spans found verbatim in the text are kept', async (t) => {
  const texts = ['My neighbour Maria Lopez lives at 12 Elm Street.'];
  const answer = JSON.stringify({
    items: [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
      { kind: 'name', text: 'John Smith' },
      { kind: 'name', text: 'maria lopez' },
      { kind: 'phone', text: 'Maria' },
      { kind: 'name', text: ' Maria Lopez ' },
    ],
  });
  t.same(
    verifiedSpans(answer, texts),
    [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
    ],
    'a made-up name, a miscopied one, an unknown kind and a repeat are dropped',
  );
  t.same(verifiedSpans('Sure! ```json\n{"items": []}\n```', texts), [], 'JSON in a fence is read');
  t.equal(verifiedSpans('I cannot help with that.', texts), null, 'an answer that is not the JSON asked for');
  t.equal(
    redactSpans('Maria Lopez, 12 Elm Street; Maria Lopez again.', [
      { kind: 'name', text: 'Maria Lopez' },
      { kind: 'address', text: '12 Elm Street' },
    ]),
    '[NAME], [ADDRESS]; [NAME] again.',
  );
});

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
