import t from 'tap';
import { resolveTopology, type EdgeSpec, type Topology, type TopologyProblem } from '../../lib/graph/topology.js';

const problemsOf = (names: string[], edges: EdgeSpec[]): string[] => {
  const topo = resolveTopology(names, edges);
  if (!Array.isArray(topo)) return [];
  return topo.map((p: TopologyProblem) => p.message);
};

t.test('a fan-out finds its join and each branch its nodes', async (t) => {
  const topo = resolveTopology(
    ['prep', 'a', 'b', 'b2', 'c', 'done'],
    [
      { from: 'START', to: 'prep' },
      { from: 'prep', to: ['a', 'b', 'c'] },
      { from: 'b', to: 'b2' },
      { from: ['a', 'b2', 'c'], to: 'done', join: { on_branch_filtered: 'keep_others' } },
    ],
  ) as Topology;
  t.notOk(Array.isArray(topo), JSON.stringify(topo));
  t.same(topo.fanouts, [
    {
      edge: 1,
      from: 'prep',
      heads: ['a', 'b', 'c'],
      join: 'done',
      joinEdge: 3,
      tails: ['a', 'b2', 'c'],
      branches: [
        { head: 'a', body: ['a'] },
        { head: 'b', body: ['b', 'b2'] },
        { head: 'c', body: ['c'] },
      ],
      policy: { merge: 'deep', onBranchError: 'error', onBranchFiltered: 'keep_others' },
    },
  ]);
  t.same(topo.routes.get('prep'), { kind: 'fanout', edge: 1, to: ['a', 'b', 'c'] });
  t.same(topo.routes.get('b2'), { kind: 'static', to: 'done' });
  t.equal(topo.order.indexOf('prep') < topo.order.indexOf('b2') && topo.order.indexOf('b2') < topo.order.indexOf('done'), true, 'the join comes after every branch');
});

t.test('START may fan out, and a join may end at END', async (t) => {
  const topo = resolveTopology(
    ['a', 'b'],
    [
      { from: 'START', to: ['a', 'b'] },
      { from: ['a', 'b'], to: 'END', join: { merge: { module: './m.js' } } },
    ],
  ) as Topology;
  t.equal(topo.entry, 'a');
  t.match(topo.fanouts, [{ from: 'START', heads: ['a', 'b'], join: null, policy: { merge: { module: './m.js', export: 'default' } } }]);
});

t.test('a loop may sit inside a branch', async (t) => {
  const topo = resolveTopology(
    ['a', 'draft', 'critique', 'other', 'j'],
    [
      { from: 'START', to: 'a' },
      { from: 'a', to: ['draft', 'other'] },
      { from: 'draft', to: 'critique' },
      { from: 'critique', to: 'draft', max_iterations: 3 },
      { from: ['critique', 'other'], to: 'j' },
    ],
  ) as Topology;
  t.notOk(Array.isArray(topo), JSON.stringify(topo));
  t.match(topo.loops, [{ head: 'draft', tail: 'critique' }]);
  t.match(topo.fanouts, [
    {
      branches: [
        { head: 'draft', body: ['draft', 'critique'] },
        { head: 'other', body: ['other'] },
      ],
    },
  ]);
});

t.test('what a fan-out may not do is said, located', async (t) => {
  t.match(
    problemsOf(
      ['a', 'b', 'c'],
      [
        { from: 'START', to: ['a', 'b'] },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'c' },
      ],
    ),
    [/the fan-out from START has no join/],
  );
  t.match(
    problemsOf(
      ['a', 'b', 's', 'j'],
      [
        { from: 'START', to: ['a', 'b'] },
        { from: 'a', to: 's' },
        { from: 'b', to: 's' },
        { from: ['s'], to: 'j' },
      ],
    ),
    [/"s" is on two branches of the fan-out from START \("a" and "b"\)/],
  );
  t.match(
    problemsOf(
      ['x', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'x' },
        { from: 'x', to: ['a', 'b'] },
        { from: 'a', to: { b: 'true', END: 'false' } },
        { from: ['b'], to: 'j' },
      ],
    ),
    [/./],
    'a branch leading into another is refused',
  );
  t.match(
    problemsOf(
      ['x', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'x' },
        { from: 'x', to: ['a', 'b'] },
        { from: 'a', to: { j: 'record.ok', END: 'true' } },
        { from: ['b'], to: 'j' },
      ],
    ),
    [/"a" is on the branch "a" of the fan-out from x and leads to END; a branch ends at its join/],
  );
  t.match(
    problemsOf(
      ['x', 'y', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'x' },
        { from: 'x', to: { y: 'record.q', a: 'true' } },
        { from: 'y', to: 'b' },
        { from: 'x', to: ['a', 'b'] },
        { from: ['a', 'b'], to: 'j' },
      ],
    ),
    [/"x" already has an outgoing edge/],
  );
  t.match(
    problemsOf(
      ['x', 'y', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'x' },
        { from: 'x', to: { y: 'record.q', j: 'true' } },
        { from: 'y', to: ['a', 'b'] },
        { from: ['a', 'b'], to: 'j' },
        { from: 'j', to: 'END' },
      ],
    ),
    [],
    'a fan-out after a conditional edge is fine',
  );
  t.match(
    problemsOf(
      ['p', 'q', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'p' },
        { from: 'p', to: { a: 'record.q', q: 'true' } },
        { from: 'q', to: ['a', 'b'] },
        { from: ['a', 'b'], to: 'j' },
      ],
    ),
    [/"p" leads into "a", on a branch of the fan-out from q; a branch is entered from its fan-out only/],
  );
  t.match(
    problemsOf(
      ['a', 'b', 'c', 'd', 'j'],
      [
        { from: 'START', to: ['a', 'b'] },
        { from: 'a', to: ['c', 'd'] },
        { from: ['c', 'd'], to: 'j' },
        { from: ['b'], to: 'j' },
      ],
    ),
    [/fans out inside a branch/],
  );
  t.match(
    problemsOf(
      ['a', 'b', 'j'],
      [
        { from: 'START', to: 'a' },
        { from: 'a', to: 'b' },
        { from: ['b'], to: 'j' },
      ],
    ),
    [/no fan-out leads to these branches/],
  );
  t.match(problemsOf(['a', 'b'], [{ from: 'START', to: ['a', 'a'] }]), [/"a" is listed twice/]);
  t.match(
    problemsOf(
      ['a', 'b'],
      [
        { from: 'START', to: ['a', 'b'] },
        { from: ['a'], to: 'b' },
      ],
    ),
    [/the join leads to "b", which starts a branch of the fan-out from START/],
  );
  t.match(problemsOf(['a', 'b'], [{ from: 'START', to: ['a', 'END'] }]), [/a fan-out goes to nodes, not END/]);
  t.match(
    problemsOf(
      ['a', 'b'],
      [
        { from: 'START', to: 'a' },
        { from: 'a', to: 'b', join: {} },
      ],
    ),
    [/`join` goes on an edge from a list of nodes/],
  );
  t.match(
    problemsOf(
      ['a', 'b'],
      [
        { from: 'START', to: ['a', 'b'] },
        { from: ['a', 'b'], router: { module: 'x.js' } },
      ],
    ),
    [/an edge from a list of nodes is a join/],
  );
  t.match(
    problemsOf(
      ['x', 'a', 'b', 'j'],
      [
        { from: 'START', to: 'x' },
        { from: 'x', to: ['a', 'b'] },
        { from: ['a', 'b'], to: 'j' },
        { from: 'j', to: 'x', max_iterations: 2 },
      ],
    ),
    [/crosses a branch/],
    'a loop around a whole fan-out is refused (a subgraph can hold it)',
  );
});
