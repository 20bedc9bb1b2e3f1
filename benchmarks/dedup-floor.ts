// The floor for exact dedup: a hand-written Node loop with no engine. Parses each line,
// lower-cases and collapses the space of one field (a messages array as its JSON text), keeps a Set of the strings seen, and
// writes the first occurrences (stringified again) with one write per chunk.
import { once } from 'node:events';

const field = process.argv[2] ?? 'text';
const seen = new Set<string>();
let carry = '';
process.stdin.setEncoding('utf8');
const keep = (line: string): string => {
  const record = JSON.parse(line) as Record<string, unknown>;
  const value = record[field];
  const key = (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase().replace(/\s+/g, ' ').trim();
  if (seen.has(key)) return '';
  seen.add(key);
  return JSON.stringify(record) + '\n';
};
for await (const chunk of process.stdin as AsyncIterable<string>) {
  const lines = (carry + chunk).split('\n');
  carry = lines.pop() ?? '';
  let out = '';
  for (const line of lines) if (line !== '') out += keep(line);
  if (out && !process.stdout.write(out)) await once(process.stdout, 'drain');
}
if (carry) process.stdout.write(keep(carry));
