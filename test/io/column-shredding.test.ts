import { MessageChannel } from 'node:worker_threads';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import t from 'tap';
import { type LeafColumn, ShreddedGroupBuilder, slotValuesOf, transferablesOf } from '../../lib/io/column-shredding.js';
import { parquetSchema, shapeOfRows, toColumnValue, type Shape } from '../../lib/io/parquet-schema.js';

type Row = Record<string, unknown>;

function decoded(value: unknown): unknown {
  return value instanceof Uint8Array ? `utf8:${Buffer.from(value).toString()}` : value;
}

/** Each leaf's levels and values as hyparquet-writer's own Dremel encoding gives them, from toColumnValue's values. */
function reference(shapes: Map<string, Shape>, rows: Row[]): Array<{ defs: number[]; reps: number[]; values: unknown[] }> {
  const resolve = schemaPathResolver(parquetSchema(shapes));
  const out: Array<{ defs: number[]; reps: number[]; values: unknown[] }> = [];
  for (const [name, shape] of shapes) {
    const column = rows.map((r) => toColumnValue(r[name], shape, name, (s) => new TextEncoder().encode(s)));
    const leaves = (node: ReturnType<typeof resolve>): Array<ReturnType<typeof resolve>> => {
      const last = node.at(-1)!;
      return last.children.length === 0 ? [node] : last.children.flatMap((child) => leaves([...node, child]));
    };
    for (const path of leaves(resolve([name]))) {
      const page = encodeNestedValues(path, column);
      // Under no list, hyparquet-writer gives zeros or nothing, which it writes alike (no repetition levels).
      const repeated = path.some((node) => node.element.repetition_type === 'REPEATED');
      out.push({
        defs: [...page.definitionLevels],
        reps: repeated ? [...page.repetitionLevels] : [],
        values: [...page.values].map((v) => (v === undefined ? null : decoded(v))),
      });
    }
  }
  return out;
}

function ours(leaves: LeafColumn[]): Array<{ defs: number[]; reps: number[]; values: unknown[] }> {
  return leaves.map((leaf) => ({ defs: [...leaf.defs], reps: [...leaf.reps], values: slotValuesOf(leaf).map(decoded) }));
}

const cases: Array<[string, Row[]]> = [
  [
    'scalar columns, nulls, absent fields and JSON text',
    [
      { id: 'a', n: 1, ok: true, any: null, mixed: 'text' },
      { id: 'é 中文 🙂', n: 2.5, ok: false, mixed: { not: 'text' } },
      { id: '', n: null, any: null, mixed: 1 },
      { id: 'z', n: -0.5, ok: true, any: { late: [1, 'x'] }, mixed: [1, 2] },
    ],
  ],
  [
    'SFT messages: a list of structs, with an optional field, empty and null lists, null elements',
    [
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello', name: 'bot' },
        ],
      },
      { messages: [] },
      { messages: null },
      {},
      { messages: [null, { role: 'user', content: null }, { role: 'assistant' }] },
      { messages: [{ role: 'user', content: '' }] },
    ],
  ],
  [
    'tool calls: lists in structs in lists, and structs in structs',
    [
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{}' } }] }], meta: { score: 1, tags: ['a', 'b'] } },
      { messages: [{ role: 'tool', content: 'out', tool_calls: [] }], meta: { score: null, tags: [] } },
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [
              { id: 'c2', function: null },
              { id: 'c3', function: { name: 'g' } },
            ],
          },
        ],
        meta: null,
      },
      { meta: { tags: null } },
    ],
  ],
  ['lists of lists of numbers and booleans', [{ grid: [[1, 2], [], null, [3]], flags: [true, null, false] }, { grid: [], flags: null }, { grid: [[4]], flags: [] }, { grid: null }]],
];

for (const [name, rows] of cases) {
  t.test(`levels and values as hyparquet-writer's Dremel encoding gives them: ${name}`, async (t) => {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const shapes = shapeOfRows(rows, columns);
    const builder = new ShreddedGroupBuilder(shapes);
    builder.append(rows.slice(0, 2));
    builder.append(rows.slice(2));
    const group = builder.take();
    t.equal(group.rows, rows.length);
    t.same(ours(group.leaves), reference(shapes, rows));
    t.equal(builder.take().rows, 0, 'take starts a new group');
  });
}

t.test('the levels of SFT messages, computed by hand', async (t) => {
  const rows: Row[] = [
    {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    },
    { messages: [] },
    { messages: null },
    { messages: [null, { role: 'user' }] },
  ];
  const builder = new ShreddedGroupBuilder(shapeOfRows(rows, ['messages']));
  builder.append(rows);
  const [role, content] = builder.take().leaves;
  // messages (optional) 1, list (repeated) 2, element (optional) 3, role (optional) 4.
  t.same([...role!.defs], [4, 4, 1, 0, 2, 4]);
  t.same([...role!.reps], [0, 1, 0, 0, 0, 1]);
  t.same([...content!.defs], [4, 4, 1, 0, 2, 3], 'a field absent from its struct: the struct is there, the field is not');
  t.same(slotValuesOf(content!).map(decoded), ['utf8:q', 'utf8:a', null, null, null, null]);
  t.same([role!.maxDef, role!.maxRep], [4, 1]);
});

t.test('thousands of rows and megabytes of text: arrays and bytes grow, and each group stands alone', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1, messages: [{ content: 'y' }] }], ['text', 'n', 'messages']);
  const builder = new ShreddedGroupBuilder(shapes);
  const rows = (from: number, count: number): Row[] =>
    Array.from({ length: count }, (_, i) => ({ text: `${from + i} `.repeat(200), n: from + i, messages: [{ content: `${from + i}` }, { content: 'again' }] }));
  for (let at = 0; at < 3000; at += 700) builder.append(rows(at, Math.min(700, 3000 - at)));
  const group = builder.take();
  t.equal(group.rows, 3000);
  const text = group.leaves[0]!;
  t.ok(text.kind === 'text' && text.bytes.length > 1 << 20, 'more than the first megabyte of text');
  t.equal(decoded(slotValuesOf(text)[2999]), `utf8:${'2999 '.repeat(200)}`);
  t.equal(slotValuesOf(group.leaves[1]!)[1234], 1234);
  t.equal(group.leaves[2]!.slots, 6000, 'two slots a row under the list');
  t.equal(decoded(slotValuesOf(group.leaves[2]!)[5998]), 'utf8:2999');
  builder.append(rows(5000, 2));
  t.same(
    builder.take().leaves.map((leaf) => slotValuesOf(leaf).map(decoded)),
    [
      ['utf8:' + '5000 '.repeat(200), 'utf8:' + '5001 '.repeat(200)],
      [5000, 5001],
      ['utf8:5000', 'utf8:again', 'utf8:5001', 'utf8:again'],
    ],
  );
  t.equal(decoded(slotValuesOf(text)[0]), `utf8:${'0 '.repeat(200)}`, 'the first group unchanged by the next');
});

t.test('a value that does not fit its column fails as toColumnValue fails, naming the field', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1, ok: true, messages: [{ role: 'user' }], meta: { a: 1 } }], ['text', 'n', 'ok', 'messages', 'meta']);
  const fails = (row: Row): string => {
    try {
      new ShreddedGroupBuilder(shapes).append([row]);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  const expected = (row: Row): string => {
    try {
      for (const [name, shape] of shapes) toColumnValue(row[name], shape, name);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  const bad: Row[] = [
    { text: 5 },
    { n: 'one' },
    { ok: 'yes' },
    { messages: 'hi' },
    { messages: [{ role: 1 }] },
    { messages: [{ role: 'user', extra: 1 }] },
    { meta: [1] },
    { meta: { b: 2 } },
    { messages: ['text'] },
  ];
  for (const row of bad) {
    const message = fails(row);
    t.not(message, 'no error', JSON.stringify(row));
    t.equal(message, expected(row));
  }
  t.match(fails({ messages: [{ role: 'user', extra: 1 }] }), /output field "messages\[\]\.extra" was not in the first row group/);
});

t.test('a group is handed to another thread without a copy: its buffers move', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1, ok: true }], ['text', 'n', 'ok']);
  const builder = new ShreddedGroupBuilder(shapes);
  builder.append([{ text: 'hello', n: 2, ok: false }]);
  const group = builder.take();
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<typeof group>((resolve) => port2.once('message', resolve));
  const transfer = transferablesOf(group);
  t.equal(transfer.length, 10, 'levels (definition and the empty repetition), bytes and ends of the text; levels and values of each other column');
  port1.postMessage(group, transfer);
  const copy = await received;
  port1.close();
  t.equal(group.leaves[0]!.defs.byteLength, 0, 'detached here');
  t.same(
    copy.leaves.map((leaf) => slotValuesOf(leaf).map(decoded)),
    [['utf8:hello'], [2], [false]],
  );
});
