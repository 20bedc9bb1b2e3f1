import t from 'tap';
import { resolveTopology } from '../../lib/graph/topology.js';

t.test('no edges: the order written', async (t) => {
  t.same(resolveTopology(['a', 'b', 'c'], undefined), {
    entry: 'a',
    routes: new Map([
      ['a', { kind: 'static', to: 'b' }],
      ['b', { kind: 'static', to: 'c' }],
      ['c', { kind: 'static', to: null }],
    ]),
    order: ['a', 'b', 'c'],
    loops: [],
    fanouts: [],
  });
});

t.test('edges define the order; a node without an outgoing edge ends', async (t) => {
  const topo = resolveTopology(
    ['c', 'a', 'b'],
    [
      { from: 'START', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ],
  );
  t.same(topo, {
    entry: 'a',
    routes: new Map([
      ['a', { kind: 'static', to: 'b' }],
      ['b', { kind: 'static', to: 'c' }],
      ['c', { kind: 'static', to: null }],
    ]),
    order: ['a', 'b', 'c'],
    loops: [],
    fanouts: [],
  });
});

t.test('START straight to END passes records through', async (t) => {
  t.same(resolveTopology([], [{ from: 'START', to: 'END' }]), { entry: null, routes: new Map(), order: [], loops: [], fanouts: [] });
});

t.test('problems are located by edge and key', async (t) => {
  t.same(
    resolveTopology(
      ['a'],
      [
        { from: 'START', to: 'a' },
        { from: 'START', to: 'a' },
        { from: 'END', to: 'a' },
      ],
    ),
    [
      { at: { edge: 1, key: 'from' }, message: 'START already has an outgoing edge' },
      { at: { edge: 2, key: 'from' }, message: 'END has no outgoing edges' },
    ],
  );
  t.same(resolveTopology(['a'], [{ from: 'a', to: 'END' }]), [{ at: { edge: 0, key: 'from' }, message: 'no edge leaves START' }]);
});

t.test('conditional edges: branches to nodes or END; joins are allowed', async (t) => {
  const topo = resolveTopology(
    ['a', 'b', 'c', 'd'],
    [
      { from: 'START', to: 'a' },
      { from: 'a', to: { b: 'record.x', c: 'true' } },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ],
  );
  if (Array.isArray(topo)) throw new Error(JSON.stringify(topo));
  t.same(topo.order, ['a', 'b', 'c', 'd']);
  t.same(topo.routes.get('a'), {
    kind: 'conditional',
    edge: 1,
    branches: [
      { to: 'b', when: 'record.x' },
      { to: 'c', when: 'true' },
    ],
  });
});

t.test('loops: an edge back with max_iterations; its body is the nodes between', async (t) => {
  const topo = resolveTopology(
    ['w', 'x', 'y', 'z'],
    [
      { from: 'START', to: 'w' },
      { from: 'w', to: 'x' },
      { from: 'x', to: 'y' },
      { from: 'y', to: 'z' },
      { from: 'y', to: 'x', max_iterations: 3, until: 'record.ok', on_max: 'END' },
    ],
  );
  if (Array.isArray(topo)) throw new Error(JSON.stringify(topo));
  t.same(topo.loops, [{ edge: 4, head: 'x', tail: 'y', max: 3, until: 'record.ok', onMax: null, body: ['x', 'y'] }]);
  t.same(topo.order, ['w', 'x', 'y', 'z']);
});

t.test('loop mistakes are located', async (t) => {
  const edges = [
    { from: 'START', to: 'a' },
    { from: 'a', to: 'b' },
  ];
  t.match(resolveTopology(['a', 'b'], [...edges, { from: 'b', to: 'a' }]), [{ at: { edge: 2, key: 'to' }, message: /cycle through "a"/ }]);
  t.match(resolveTopology(['a', 'b'], [...edges, { from: 'a', to: 'b', max_iterations: 2 }]), [{ message: /does not lead to "a": max_iterations goes on an edge back/ }]);
  t.match(resolveTopology(['a', 'b'], [...edges, { from: 'b', to: 'END', until: 'x' }]), [{ at: { edge: 2, key: 'until' } }]);
  const middle = resolveTopology(
    ['a', 'b', 'c'],
    [
      { from: 'START', to: 'a' },
      { from: 'a', to: { b: 'record.x', c: 'true' } },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'b', max_iterations: 2 },
    ],
  );
  t.match(middle, [{ at: { node: 'a' }, message: /leads into the middle of the loop b … c; enter it through "b"/ }]);
});
