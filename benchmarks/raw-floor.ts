// The practical floor for the filter benchmark: what a hand-written Node loop does with no
// engine at all. Reads chunks, splits lines, parses, tests, stringifies, writes one joined
// string per chunk, and honours drain.
import { once } from 'node:events';

let carry = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin as AsyncIterable<string>) {
  const lines = (carry + chunk).split('\n');
  carry = lines.pop() ?? '';
  let out = '';
  for (const line of lines) {
    if (line === '') continue;
    const record = JSON.parse(line) as { prompt: string };
    if (record.prompt.length > 100) out += JSON.stringify(record) + '\n';
  }
  if (out && !process.stdout.write(out)) await once(process.stdout, 'drain');
}
if (carry) {
  const record = JSON.parse(carry) as { prompt: string };
  if (record.prompt.length > 100) process.stdout.write(JSON.stringify(record) + '\n');
}
