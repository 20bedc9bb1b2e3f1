import t from 'tap';
import { join } from 'node:path';
import { loadGraph, runGraph, type RecordFate } from '../../lib/api/library.js';

// The engine's stages in process, without the CLI bundle: order, the bound on records in
// flight, how a node's result settles, loops and subgraphs. Nodes are code modules written
// to a scratch folder; "slow" ones yield to the event loop a varying number of times, so
// records finish out of order without any timer.

const STEPS = `
let inFlight = 0;
export let maxInFlight = 0;
const turns = (n) => new Promise((resolve) => { let k = n; const step = () => (k-- > 0 ? setImmediate(step) : resolve()); step(); });
export async function slow(r) {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  await turns((r.n * 7919) % 13);
  inFlight--;
  return { ...r, done: true, seenMax: maxInFlight };
}
export function settle(r) {
  if (r.kind === 'drop') return null;
  if (r.kind === 'fan') return [{ n: r.n, part: 1 }, { n: r.n, part: 2 }];
  if (r.kind === 'fail') throw new Error('asked to fail');
  return { ...r, kept: true };
}
export function bump(r) { return { ...r, rounds: (r.rounds ?? 0) + 1 }; }
`;

async function run(dir: string, graph: string, records: object[], ordered = true): Promise<RecordFate[]> {
  const loaded = await loadGraph(join(dir, graph));
  try {
    const out: RecordFate[] = [];
    for await (const r of runGraph(loaded, records as Array<Record<string, unknown>>, { ordered, batchSize: 8 })) out.push(r);
    return out;
  } finally {
    await loaded.close();
  }
}

const many = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ n: i }));

t.test('ordered output follows input however the node finishes; unordered keeps every record', async (t) => {
  const dir = t.testdir({ 'steps.mjs': STEPS, 'g.yaml': 'nodes:\n  s: { type: code, module: ./steps.mjs, export: slow, concurrency: 8 }\n' });
  const ordered = await run(dir, 'g.yaml', many(100));
  t.same(
    ordered.map((r) => r.seq),
    many(100).map((_, i) => i),
  );
  t.ok(ordered.every((r) => r.fate === 'output' && r.record.done === true));
  const unordered = await run(dir, 'g.yaml', many(100), false);
  t.same(
    unordered.map((r) => r.seq).sort((a, b) => a - b),
    many(100).map((_, i) => i),
    'every record, once',
  );
  t.not(unordered.map((r) => r.seq).join(), ordered.map((r) => r.seq).join(), 'and some overtook others');
});

t.test('an async node never has more records in flight than its concurrency', async (t) => {
  const dir = t.testdir({ 'steps.mjs': STEPS, 'g.yaml': 'nodes:\n  s: { type: code, module: ./steps.mjs, export: slow, concurrency: 3 }\n' });
  const out = await run(dir, 'g.yaml', many(60));
  const seen = Math.max(...out.map((r) => r.record.seenMax as number));
  t.equal(seen, 3, 'the node saw 3 at once at most, and did reach 3');
});

t.test("a node's result settles as output, filtered, fan-out or error", async (t) => {
  const dir = t.testdir({ 'steps.mjs': STEPS, 'g.yaml': 'nodes:\n  s: { type: code, module: ./steps.mjs, export: settle }\n' });
  const out = await run(dir, 'g.yaml', [
    { n: 0, kind: 'keep' },
    { n: 1, kind: 'drop' },
    { n: 2, kind: 'fan' },
    { n: 3, kind: 'fail' },
  ]);
  t.same(
    out.map((r) => [r.seq, r.fate, r.fate === 'output' ? (r.record.part ?? r.record.kept) : r.fate === 'error' ? r.error : r.node]),
    [
      [0, 'output', true],
      [1, 'filtered', 's'],
      [2, 'output', 1],
      [2, 'output', 2],
      [3, 'error', 'asked to fail'],
    ],
  );
});

t.test('a loop goes round until its condition holds, at most max_iterations times', async (t) => {
  const graph = `nodes:
  bump: { type: code, module: ./steps.mjs, export: bump }
  check: { type: map, set: { checked: "true" } }
edges:
  - { from: START, to: bump }
  - { from: bump, to: check }
  - { from: check, to: END }
  - { from: check, to: bump, max_iterations: 4, until: "record.rounds >= record.want" }
`;
  const dir = t.testdir({ 'steps.mjs': STEPS, 'g.yaml': graph });
  const out = await run(dir, 'g.yaml', [{ want: 1 }, { want: 3 }, { want: 9 }]);
  t.same(
    out.map((r) => r.record.rounds),
    [1, 3, 4],
    'one round, three rounds, and the bound of four',
  );
});

t.test('a subgraph runs per record, its outputs mapped back', async (t) => {
  const dir = t.testdir({
    'inner.yaml': 'nodes:\n  up: { type: map, set: { text: "record.text.toUpperCase()" } }\n',
    'g.yaml': 'nodes:\n  inner: { type: subgraph, graph: ./inner.yaml, outputs: { upper: "record.text" } }\n',
  });
  const out = await run(dir, 'g.yaml', [{ text: 'a' }, { text: 'b' }, {}]);
  t.same(
    out.map((r) => (r.fate === 'output' ? r.record.upper : r.fate)),
    ['A', 'B', 'error'],
  );
});
