// The floor for a graph that changes every record: a hand-written Node loop with no
// engine that parses each line, adds one small field and stringifies it again, with one
// write per chunk. No rule is measured; what is left is the JSON work itself.
import { once } from 'node:events';

let carry = '';
process.stdin.setEncoding('utf8');
const touch = (line: string): string => {
  const record = JSON.parse(line) as Record<string, unknown>;
  record.seen = true;
  return JSON.stringify(record) + '\n';
};
for await (const chunk of process.stdin as AsyncIterable<string>) {
  const lines = (carry + chunk).split('\n');
  carry = lines.pop() ?? '';
  let out = '';
  for (const line of lines) if (line !== '') out += touch(line);
  if (out && !process.stdout.write(out)) await once(process.stdout, 'drain');
}
if (carry) process.stdout.write(touch(carry));
