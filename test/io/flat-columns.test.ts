import { MessageChannel } from 'node:worker_threads';
import t from 'tap';
import { columnValuesOf, FlatGroupBuilder, isFlat, transferablesOf } from '../../lib/io/flat-columns.js';
import { shapeOfRows, toColumnValue, type Shape } from '../../lib/io/parquet-schema.js';

type Row = Record<string, unknown>;

const first: Row[] = [
  { id: 'a', n: 1, ok: true, any: null, mixed: 'text' },
  { id: 'é 中文 🙂', n: 2.5, ok: false, mixed: { not: 'text' } },
  { id: '', n: null, any: null, mixed: 1 },
];

/** What the in-thread path gives for a row group: toColumnValue per value, text decoded for comparison. */
function expected(shapes: Map<string, Shape>, rows: Row[]): unknown[][] {
  return [...shapes].map(([name, shape]) => rows.map((r) => decoded(toColumnValue(r[name], shape, name, (s) => new TextEncoder().encode(s)))));
}

function decoded(value: unknown): unknown {
  return value instanceof Uint8Array ? `utf8:${Buffer.from(value).toString()}` : value;
}

t.test('a group of scalar columns gives the Parquet writer the values toColumnValue gives, text as its UTF-8 bytes', async (t) => {
  const shapes = shapeOfRows(first, ['id', 'n', 'ok', 'any', 'mixed']);
  t.same(
    [...shapes.values()].map((s) => s.kind),
    ['string', 'float64', 'bool', 'null', 'json'],
  );
  t.ok(isFlat(shapes));
  const builder = new FlatGroupBuilder(shapes);
  const later: Row[] = [{ id: 'z', n: -0.5, ok: true, any: { late: [1, 'x'] }, mixed: [1, 2] }];
  builder.append(first);
  builder.append(later);
  const group = builder.take();
  t.equal(group.rows, 4);
  t.same(
    columnValuesOf(group).map((column) => column.map(decoded)),
    expected(shapes, [...first, ...later]),
  );
  t.same(columnValuesOf(group)[3]!.map(decoded), [null, null, null, 'utf8:{"late":[1,"x"]}'], 'a column of nulls takes later values as JSON text');
  const next = builder.take();
  t.equal(next.rows, 0, 'take starts a new group');
});

t.test('thousands of rows and megabytes of text: arrays and bytes grow, and each group stands alone', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1 }], ['text', 'n']);
  const builder = new FlatGroupBuilder(shapes);
  const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ text: `${from + i} `.repeat(200), n: from + i }));
  for (let at = 0; at < 3000; at += 700) builder.append(rows(at, Math.min(700, 3000 - at)));
  const group = builder.take();
  t.equal(group.rows, 3000);
  const values = columnValuesOf(group);
  const text = group.columns[0]!;
  t.ok(text.kind === 'text' && text.bytes.length > 1 << 20, 'more than the first megabyte of text');
  t.equal(Buffer.from(values[0]![2999] as Uint8Array).toString(), '2999 '.repeat(200));
  t.equal(values[1]![1234], 1234);
  builder.append(rows(5000, 2));
  t.same(
    columnValuesOf(builder.take()).map((c) => c.map(decoded)),
    [
      ['utf8:' + '5000 '.repeat(200), 'utf8:' + '5001 '.repeat(200)],
      [5000, 5001],
    ],
  );
  t.equal(Buffer.from(values[0]![0] as Uint8Array).toString(), '0 '.repeat(200), 'the first group unchanged by the next');
});

t.test('a value that does not fit its column fails as toColumnValue fails, naming the field', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1, ok: true }], ['text', 'n', 'ok']);
  const builder = new FlatGroupBuilder(shapes);
  t.throws(() => builder.append([{ text: 5 }]), /output field "text" held strings in the first row group/);
  t.throws(() => builder.append([{ text: 'x', n: 'one' }]), /output field "n" held numbers/);
  t.throws(() => builder.append([{ text: 'x', n: 1, ok: 'yes' }]), /output field "ok" held booleans/);
});

t.test('structs and lists are not flat', async (t) => {
  t.notOk(isFlat(shapeOfRows([{ messages: [{ role: 'user', content: 'hi' }] }], ['messages'])));
  t.notOk(isFlat(shapeOfRows([{ meta: { a: 1 } }], ['meta'])));
});

t.test('a group is handed to another thread without a copy: its buffers move', async (t) => {
  const shapes = shapeOfRows([{ text: 'x', n: 1, ok: true }], ['text', 'n', 'ok']);
  const builder = new FlatGroupBuilder(shapes);
  builder.append([{ text: 'hello', n: 2, ok: false }]);
  const group = builder.take();
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<typeof group>((resolve) => port2.once('message', resolve));
  const transfer = transferablesOf(group);
  t.equal(transfer.length, 7, 'bytes, ends and nulls of the text; values and nulls of each other column');
  port1.postMessage(group, transfer);
  const copy = await received;
  port1.close();
  t.equal(group.columns[0]!.nulls.byteLength, 0, 'detached here');
  t.same(
    columnValuesOf(copy).map((c) => c.map(decoded)),
    [['utf8:hello'], [2], [false]],
  );
});
