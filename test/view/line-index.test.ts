import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { LineIndex } from '../../lib/view/line-index.js';

t.test('indexes records by byte range: blank lines skipped, CRLF trimmed, a last line without a newline kept', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'a.jsonl');
  await writeFile(path, '{"a":1}\n\n{"b":"é"}\r\n{"c":3}');
  const index = await LineIndex.build(path);
  t.teardown(() => index.close());
  t.equal(index.count, 3);
  t.equal(index.bytes, 28);
  t.same(await Promise.all([0, 1, 2].map((n) => index.read(n))), ['{"a":1}', '{"b":"é"}', '{"c":3}']);
  t.same(index.range(1), { start: 9, end: 19 }, 'byte offsets: é is two bytes, the CR is left out');
  t.throws(() => index.range(3), /record 4 is past the end \(3 records\)/);
});

t.test('a record split over many read chunks is one record; scan reads in chunks and stops when told', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'big.jsonl');
  const long = JSON.stringify({ text: 'x'.repeat(3 << 20) });
  const records = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(i * 37) }));
  await writeFile(path, [records[0], long, ...records.slice(1)].join('\n') + '\n');
  const index = await LineIndex.build(path);
  t.teardown(() => index.close());
  t.equal(index.count, 201);
  t.equal(index.longest, long.length);
  t.equal(await index.read(1), long);
  const seen: string[] = [];
  // A chunk far smaller than the long record: the scan still hands over whole records.
  await index.scan(0, index.count, (_n, bytes) => void seen.push(bytes.toString()), 4096);
  t.same(seen, [records[0], long, ...records.slice(1)]);
  const some: number[] = [];
  await index.scan(5, 50, (n) => (some.push(n), n < 9 ? undefined : false), 1024);
  t.same(some, [5, 6, 7, 8, 9], 'returning false stops the scan');
});

t.test('an empty file has no records', async (t) => {
  const dir = t.testdir({ 'e.jsonl': '' });
  const index = await LineIndex.build(join(dir, 'e.jsonl'));
  t.teardown(() => index.close());
  t.equal(index.count, 0);
  let called = false;
  await index.scan(0, 0, () => void (called = true));
  t.notOk(called);
});
