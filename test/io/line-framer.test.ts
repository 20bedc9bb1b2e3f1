import t from 'tap';
import { LineFramer } from '../../lib/io/line-framer.js';
import type { Item } from '../../lib/record/item.js';

function frame(chunks: Array<string | Buffer>, framer = new LineFramer('first')): Item[] {
  const items: Item[] = [];
  for (const c of chunks) items.push(...framer.push(typeof c === 'string' ? Buffer.from(c) : c));
  items.push(...framer.end());
  return items;
}

t.test('parses objects and numbers lines from 1, skipping blank lines', async (t) => {
  const items = frame(['{"a":1}\n\n   \n{"b":2}\n']);
  t.same(
    items.map((i) => [i.line, i.record]),
    [
      [1, { a: 1 }],
      [4, { b: 2 }],
    ],
  );
  t.same(
    items.map((i) => i.seq),
    [0, 1],
  );
  t.equal(items[0]!.route, 'first');
});

t.test('a final line without newline is still a record', async (t) => {
  const items = frame(['{"a":1}\n{"b":2}']);
  t.same(
    items.map((i) => i.record),
    [{ a: 1 }, { b: 2 }],
  );
  t.equal(items[1]!.bytes, undefined, 'no reusable bytes for a line without newline');
  t.equal(items[0]!.bytes!.toString(), '{"a":1}\n');
});

t.test('lines split across chunks, including inside a multi-byte character', async (t) => {
  const text = Buffer.from('{"k":"日本語 🙂"}\n{"k":"x"}\n');
  for (let cut = 1; cut < text.length; cut++) {
    const items = frame([text.subarray(0, cut), text.subarray(cut)]);
    t.same(
      items.map((i) => i.record.k),
      ['日本語 🙂', 'x'],
      `cut at byte ${cut}`,
    );
    t.equal(items.filter((i) => i.outcome).length, 0);
  }
});

t.test('BOM at start is skipped, even when split across chunks', async (t) => {
  const items = frame([Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), '{"a":1}\n']);
  t.same(
    items.map((i) => i.record),
    [{ a: 1 }],
  );
  t.same(
    frame(['\ufeff{"a":1}']).map((i) => i.record),
    [{ a: 1 }],
  );
});

t.test('CRLF line endings', async (t) => {
  const items = frame(['{"a":1}\r\n{"b":2}\r\n']);
  t.same(
    items.map((i) => i.record),
    [{ a: 1 }, { b: 2 }],
  );
  t.equal(items[0]!.bytes, undefined, 'CRLF records are re-serialised with LF');
});

t.test('malformed, non-object and invalid UTF-8 lines become error items with line numbers', async (t) => {
  const bad = Buffer.concat([Buffer.from('{"ok":1}\n{"broken":\n[1,2]\n"str"\nnull\n'), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), Buffer.from('{"ok":2}\n')]);
  const items = frame([bad]);
  t.same(
    items.map((i) => [i.line, i.outcome?.kind ?? 'record']),
    [
      [1, 'record'],
      [2, 'error'],
      [3, 'error'],
      [4, 'error'],
      [5, 'error'],
      [6, 'error'],
      [7, 'record'],
    ],
  );
  const errors = items.filter((i) => i.outcome?.kind === 'error');
  t.match(errors[0]!.outcome, { node: null, error: /^malformed JSON/ });
  t.equal(errors[0]!.raw, '{"broken":');
  t.match(errors[1]!.outcome, { error: 'expected a JSON object, got an array' });
  t.match(errors[2]!.outcome, { error: 'expected a JSON object, got string' });
  t.match(errors[3]!.outcome, { error: 'expected a JSON object, got null' });
  t.match(errors[4]!.outcome, { error: 'invalid UTF-8 byte sequence' });
  t.same(items[6]!.record, { ok: 2 });
});

t.test('a line longer than the limit is an error and the next line is read', async (t) => {
  const framer = new LineFramer(null, 16);
  const items = frame(['{"a":"', 'xxxxxxxxxxxxxxxxxxxxxxxx', 'yyyy"}\n{"b":1}\n'], framer);
  t.equal(items.length, 2);
  t.match(items[0]!.outcome, { kind: 'error', error: /longer than 16 bytes/ });
  t.same(items[1]!.record, { b: 1 });
  t.equal(items[1]!.line, 2);
});

t.test('empty input gives nothing', async (t) => {
  t.same(frame([]), []);
  t.same(frame(['']), []);
});

t.test('a line carried over is joined alone: the rest of the chunk is framed in place', async (t) => {
  const framer = new LineFramer(null);
  t.same(framer.push(Buffer.from('{"a":')), []);
  const second = Buffer.from('1}\n{"b":2}\n{"c":3}\n{"d":');
  const items = framer.push(second);
  t.same(
    items.map((i) => i.record),
    [{ a: 1 }, { b: 2 }, { c: 3 }],
  );
  // Small buffers share Node's pool, so "a view of" means: the same memory, inside the chunk.
  const inside = (view: Buffer, chunk: Buffer): boolean => view.buffer === chunk.buffer && view.byteOffset >= chunk.byteOffset && view.byteOffset + view.length <= chunk.byteOffset + chunk.length;
  t.notOk(inside(items[0]!.bytes!, second), 'the joined line has bytes of its own');
  t.ok(inside(items[1]!.bytes!, second), 'later lines are views of the chunk read, not of a copy');
  t.equal(items[2]!.bytes!.toString(), '{"c":3}\n');
  t.same(
    framer
      .push(Buffer.from('4}'))
      .concat(framer.end())
      .map((i) => i.record),
    [{ d: 4 }],
  );
  // Every split of a few lines into three chunks gives the same records.
  const text = '{"x":"ab"}\n\n{"y":"日本"}\r\n{"z":1}';
  const want = [{ x: 'ab' }, { y: '日本' }, { z: 1 }];
  const bytes = Buffer.from(text);
  for (let i = 1; i < bytes.length; i++) {
    for (let j = i; j < bytes.length; j++) {
      const got = frame([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
      if (JSON.stringify(got.map((it) => it.record)) !== JSON.stringify(want) || got.some((it) => it.outcome)) {
        t.fail(`split at ${i} and ${j}`);
        return;
      }
    }
  }
  t.pass('every three-way split agrees');
});

t.test('a line that arrives in many pieces is joined once, whatever their number', async (t) => {
  const framer = new LineFramer(null, 1 << 20);
  const text = 'x'.repeat(300_000);
  const line = Buffer.from(`{"text":"${text}"}\n{"n":2}\n`);
  const items = [];
  // 1-byte pieces: the old carry copied the whole line so far at each one (quadratic).
  let copies = 0;
  const concat = Buffer.concat;
  Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
    copies++;
    return concat(list, length);
  }) as typeof Buffer.concat;
  try {
    for (let i = 0; i < line.length; i += 1) items.push(...framer.push(line.subarray(i, i + 1)));
    items.push(...framer.end());
  } finally {
    Buffer.concat = concat;
  }
  t.same(
    items.map((i) => (typeof i.record.text === 'string' ? i.record.text.length : i.record.n)),
    [300_000, 2],
  );
  t.ok(copies <= 4, `joined ${copies} times for ${line.length} pieces`);
});
