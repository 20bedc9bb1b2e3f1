import t from 'tap';
import h from 'highland';
import { asyncStage } from '../../lib/engine/async-stage.js';
import type { GraphNode } from '../../lib/graph/graph.js';
import { RunStats } from '../../lib/metrics/run-stats.js';
import type { Batch, Item } from '../../lib/record/item.js';

// The async stage in process, fed one large batch: how it lets go of what a node answers at
// once (a warm LLM cache) and of what it answers later.

function node(run: GraphNode['compiled']['run'], concurrency: number): GraphNode {
  return { name: 'n', type: 'code', config: {}, compiled: { run, async: true, concurrency } };
}

const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ seq: i, line: i + 1, route: 'n', record: { i } }));

async function batchesOut(graphNode: GraphNode, input: Batch[]): Promise<Batch[]> {
  const stage = asyncStage(graphNode, () => null, { ordered: true, stats: new RunStats() });
  return (await stage(h(input)).collect().toPromise(Promise)) as Batch[];
}

t.test('records answered at once leave in groups of at most 256, in input order', async (t) => {
  const out = await batchesOut(
    node((record) => ({ ...record, done: true }), 256),
    [items(1000)],
  );
  const seqs = out.flat().map((item) => item.seq);
  t.same(
    seqs,
    items(1000).map((item) => item.seq),
    'every record, once, in order',
  );
  t.ok(out.flat().every((item) => item.record.done === true));
  t.ok(out.length >= 4, `1000 records answered at once left in ${out.length} groups, not one`);
  t.ok(
    out.every((batch) => batch.length <= 256),
    `largest group: ${Math.max(...out.map((b) => b.length))}`,
  );
});

t.test('a node that answers later still keeps order and sees the whole batch', async (t) => {
  const out = await batchesOut(
    node((record) => new Promise((resolve) => setImmediate(() => resolve({ ...record, later: true }))), 64),
    [items(300), items(5).map((item) => ({ ...item, seq: item.seq + 300 }))],
  );
  t.same(
    out.flat().map((item) => item.seq),
    Array.from({ length: 305 }, (_, i) => i),
  );
  t.ok(out.flat().every((item) => item.record.later === true));
});

t.test('answers at once and later, mixed, in one batch', async (t) => {
  const out = await batchesOut(
    node((record) => ((record.i as number) % 3 === 0 ? new Promise((resolve) => setImmediate(() => resolve(record))) : record), 16),
    [items(700)],
  );
  t.same(
    out.flat().map((item) => item.seq),
    Array.from({ length: 700 }, (_, i) => i),
  );
});
