import t from 'tap';
import { type BenchTable, cellNumber, compareRuns, RATIO_COLUMN, spreadOf } from '../../benchmarks/compare-tables.js';

t.test('a cell’s number: numbers, and text that starts with one', async (t) => {
  t.equal(cellNumber(1.5), 1.5);
  t.equal(cellNumber('12,345'), 12345);
  t.equal(cellNumber('1.29 (÷ Node loop)'), 1.29);
  t.equal(cellNumber('0.31 s'), 0.31);
  t.equal(cellNumber(''), null);
  t.equal(cellNumber('yes'), null);
  t.equal(cellNumber(undefined), null);
  t.equal(cellNumber(Number.NaN), null);
});

t.test('ratio columns are known by their header', async (t) => {
  for (const header of ['x floor', 'x jq', 'speed ÷ NDJSON', '× JSON', 'ratio (fan-out ÷ one)', 'sygra ÷ bare']) t.ok(RATIO_COLUMN.test(header), header);
  for (const header of ['records/s', 'peak RSS MB', 'seconds', 'index', 'max in flight']) t.notOk(RATIO_COLUMN.test(header), header);
});

t.test('median and range', async (t) => {
  t.same(spreadOf([3, 1, 2]), { median: 2, min: 1, max: 3 });
  t.same(spreadOf([4, 1, 2, 3]), { median: 2.5, min: 1, max: 4 });
  t.same(spreadOf([7]), { median: 7, min: 7, max: 7 });
});

t.test('each ratio of two builds over rounds: medians, ranges, change and overlap', async (t) => {
  const round = (ours: number, peer: number | null): BenchTable[] => [
    {
      name: 'filter',
      header: ['command', 'records/s', 'x floor'],
      rows: [['raw node loop', 90_000, 1], ['sygra-stream', 150_000, ours], ...(peer === null ? [] : [['jq', 50_000, peer]])],
    },
  ];
  // base: 1.70, 1.80, 1.60 → median 1.70, range 1.60–1.80; head: 1.90, 2.00, 1.95 → median 1.95.
  // The peer row is missing from one base round: its base values are 0.5 and 0.75.
  const changes = compareRuns([round(1.7, 0.5), round(1.8, null), round(1.6, 0.75)], [round(1.9, 0.6), round(2.0, 0.6), round(1.95, 0.6)]);
  t.equal(changes.length, 3, 'the x floor column of each row; records/s is not a ratio');
  const ours = changes.find((c) => c.row === 'sygra-stream')!;
  t.same(ours.base, { median: 1.7, min: 1.6, max: 1.8 });
  t.same(ours.head, { median: 1.95, min: 1.9, max: 2 });
  t.equal(Math.round(ours.change * 10_000) / 10_000, Math.round((1.95 / 1.7 - 1) * 10_000) / 10_000);
  t.equal(ours.overlap, false, '1.60–1.80 against 1.90–2.00');
  const peer = changes.find((c) => c.row === 'jq')!;
  t.same(peer.base, { median: 0.625, min: 0.5, max: 0.75 });
  t.equal(peer.overlap, true);
  const floor = changes.find((c) => c.row === 'raw node loop')!;
  t.equal(floor.change, 0);
  t.equal(floor.overlap, true);
});

t.test('a table only one build printed is not compared', async (t) => {
  const only: BenchTable[] = [{ name: 'new', header: ['run', 'ratio'], rows: [['a', 1.2]] }];
  t.same(compareRuns([[]], [only]), []);
});
