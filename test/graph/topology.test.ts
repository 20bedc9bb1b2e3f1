import t from 'tap';
import { resolveTopology } from '../../lib/graph/topology.js';

t.test('no edges: the order written', async (t) => {
  t.same(resolveTopology(['a', 'b', 'c'], undefined), {
    entry: 'a',
    next: new Map([['a', 'b'], ['b', 'c'], ['c', null]]),
    order: ['a', 'b', 'c'],
  });
});

t.test('edges define the order; a node without an outgoing edge ends', async (t) => {
  const topo = resolveTopology(['c', 'a', 'b'], [
    { from: 'START', to: 'a' },
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
  ]);
  t.same(topo, { entry: 'a', next: new Map([['a', 'b'], ['b', 'c'], ['c', null]]), order: ['a', 'b', 'c'] });
});

t.test('START straight to END passes records through', async (t) => {
  t.same(resolveTopology([], [{ from: 'START', to: 'END' }]), { entry: null, next: new Map(), order: [] });
});

t.test('problems are located by edge and key', async (t) => {
  t.same(resolveTopology(['a'], [{ from: 'START', to: 'a' }, { from: 'START', to: 'a' }, { from: 'END', to: 'a' }]), [
    { at: { edge: 1, key: 'from' }, message: 'START already has an outgoing edge' },
    { at: { edge: 2, key: 'from' }, message: 'END has no outgoing edges' },
  ]);
  t.same(resolveTopology(['a'], [{ from: 'a', to: 'END' }]), [{ at: { edge: 0, key: 'from' }, message: 'no edge leaves START' }]);
});
