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
