import t from 'tap';
import type { Item } from '../../lib/record/item.js';
import { BatchWriter, writeRecord } from '../../lib/io/sink.js';

function written(item: Partial<Item>): string {
  const writer = new BatchWriter();
  writeRecord(writer, { seq: 0, line: 1, route: null, record: {}, ...item });
  return writer.finish()?.toString() ?? '';
}

t.test('a record is written as its line, its line with fields appended, or stringified', async (t) => {
  t.equal(written({ record: { a: 1 }, bytes: Buffer.from('{ "a" : 1 }\n') }), '{ "a" : 1 }\n', 'unchanged: the line as it came');
  t.equal(written({ record: { a: 1 } }), '{"a":1}\n', 'no bytes: stringified');
  t.equal(
    written({ record: { a: 1, q: { x: [1] } }, bytes: Buffer.from('{ "a" : 1 }  \n'), appended: ['q'] }),
    '{ "a" : 1 ,"q":{"x":[1]}}\n',
    'appended before the closing brace, trailing spaces dropped',
  );
  t.equal(written({ record: { q: 'v' }, bytes: Buffer.from('{}\n'), appended: ['q'] }), '{"q":"v"}\n', 'no comma after an empty object');
  t.equal(written({ record: { a: 1, q: undefined, r: 2 }, bytes: Buffer.from('{"a":1}\n'), appended: ['q', 'r'] }), '{"a":1,"r":2}\n', 'a field left undefined is not written');
  t.equal(written({ record: { a: 1, r: 2 }, bytes: Buffer.from('{"a":1}\n'), appended: ['q', 'r'] }), '{"a":1,"r":2}\n', "a listed field the record lacks still leaves a comma after the line's own");
  t.equal(
    written({ record: { a: 1, f: () => 1, r: 2 } as never, bytes: Buffer.from('{"a":1}\n'), appended: ['f', 'r'] }),
    '{"a":1,"r":2}\n',
    'a value JSON cannot hold is left out, as JSON.stringify does',
  );
  t.equal(written({ record: { r: 2 }, bytes: Buffer.from('{}\n'), appended: ['q', 'r'] }), '{"r":2}\n');
});

t.test('text lines are written as the UTF-8 of their concatenation, whatever their scripts', async (t) => {
  const cases: Record<string, string[]> = {
    ascii: Array.from({ length: 300 }, (_, i) => `{"id":${i},"text":"plain"}\n`),
    'one emoji among ASCII lines': Array.from({ length: 300 }, (_, i) => (i === 150 ? '{"t":"ok 👍"}\n' : `{"id":${i}}\n`)),
    // Three bytes a character: more than the room made for the characters, so the buffer grows.
    'all CJK': Array.from({ length: 300 }, (_, i) => `{"t":"${'中文字'.repeat(1 + (i % 40))}"}\n`),
    'Latin-1 and astral': ['{"t":"café"}\n', '{"t":"𝄞 ∑ ü"}\n', '{"t":"\\u0000 and \\ud800"}\n'],
    'one line': ['{"only":"é"}\n'],
  };
  for (const [name, lines] of Object.entries(cases)) {
    const writer = new BatchWriter();
    for (const line of lines) writer.text(line);
    t.same(writer.finish(), Buffer.from(lines.join('')), name);
  }
  // Text between runs of kept bytes stays in its place.
  const writer = new BatchWriter();
  const kept = Buffer.from('{"a":1}\n{"b":2}\n');
  writer.bytes(kept.subarray(0, 8));
  writer.text('{"c":"ü"}\n');
  writer.text('{"d":"😀"}\n');
  writer.bytes(kept.subarray(8));
  t.equal(writer.finish()!.toString(), '{"a":1}\n{"c":"ü"}\n{"d":"😀"}\n{"b":2}\n');
});

t.test('changed lines past the first 64 KiB of scratch, and lines larger than it, are written whole and in order', async (t) => {
  const lines = [
    ...Array.from({ length: 2000 }, (_, i) => `{"id":${i},"t":"${'中文'.repeat(20)}"}\n`), // about 250 KB of UTF-8
    `{"big":"${'é'.repeat(100_000)}"}\n`, // one line of 200 KB, larger than any scratch so far
    '{"after":1}\n',
  ];
  const writer = new BatchWriter();
  for (const line of lines) writer.text(line);
  t.same(writer.finish(), Buffer.from(lines.join('')));
});

t.test('splice: an input line cut before its closing brace, then the added text', async (t) => {
  const input = Buffer.from('{"a":1}\n{"b":"ü"}\n{"c":3}\n');
  const writer = new BatchWriter();
  // Byte offsets of each line's closing brace, counted by hand: "ü" is two bytes.
  writer.splice(input.subarray(0, 8), 6, ',"x":"😀"}\n');
  writer.bytes(input.subarray(8, 19)); // the second line kept as it came
  writer.splice(input.subarray(19), 6, ',"x":"中"}\n');
  t.equal(writer.finish()!.toString(), '{"a":1,"x":"😀"}\n{"b":"ü"}\n{"c":3,"x":"中"}\n');

  // Thousands of spliced lines, crossing from one scratch buffer to the next.
  const many = new BatchWriter();
  let expected = '';
  for (let i = 0; i < 3000; i++) {
    const line = Buffer.from(`{"id":${i},"q":"question ${i}"}\n`);
    const added = `,"answer":"${'réponse '.repeat(i % 9)}${i}"}\n`;
    many.splice(line, line.length - 2, added);
    expected += `{"id":${i},"q":"question ${i}"${added}`;
  }
  t.equal(many.finish()!.toString(), expected);
});
