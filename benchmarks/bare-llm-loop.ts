// The practical floor for the LLM benchmark: C workers posting the same chat requests to
// the server with undici, no engine, no cache. Reads the prompts (one JSON record with a
// `question` per line) from the file named first; prints the count done.
import { readFile } from 'node:fs/promises';
import { Pool } from 'undici';

const [file, baseUrl, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const questions = (await readFile(file!, 'utf8'))
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { question: string }).question);
const url = new URL(baseUrl!);
const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
let next = 0;
let done = 0;
async function worker(): Promise<void> {
  while (next < questions.length) {
    const q = questions[next++]!;
    const res = await pool.request({
      path: `${url.pathname}/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-1', messages: [{ role: 'user', content: q }] }),
    });
    const body = (await res.body.json()) as { choices: Array<{ message: { content: string } }> };
    if (body.choices[0]!.message.content) done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
await pool.close();
process.stdout.write(`${done}\n`);
