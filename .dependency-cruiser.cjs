// The layers of lib/, lowest first: a folder imports only from folders of lower layers
// (and from itself). `npm run lint:layers` checks it; CI runs it with the tests.
//
// The one exception: graph and nodes know each other through subgraphs. A node's compile
// context can include another graph file (nodes/definition.ts), and the subgraph node runs
// one (nodes/subgraph.ts); both import graph/graph.ts for its types only.
const LAYERS = [
  ['record', 'random', 'text', 'hashing', 'config', 'metrics'],
  ['llm', 'dedup', 'oasst', 'report'],
  ['formats', 'io', 'quality'],
  ['nodes'],
  ['graph'],
  ['engine'],
  ['run', 'redis', 'api', 'view'],
  ['cli'],
  ['docs'],
];

const layerOf = new Map(LAYERS.flatMap((folders, level) => folders.map((f) => [f, level])));

/** For each folder, a rule forbidding imports of every folder not below it. */
const layerRules = [...layerOf].map(([folder, level]) => {
  const notBelow = [...layerOf].filter(([other, l]) => other !== folder && l >= level).map(([other]) => other);
  return {
    name: `layer-${folder}`,
    comment: `lib/${folder} (layer ${level}) imports only from lower layers: not from ${notBelow.join(', ')}`,
    severity: 'error',
    from: { path: `^lib/${folder}/`, pathNot: folder === 'nodes' ? '^lib/nodes/(definition|subgraph)[.]ts$' : undefined },
    to: { path: `^lib/(${notBelow.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'subgraph-types-only',
      comment: 'nodes reach graph only for the types of a subgraph',
      severity: 'error',
      from: { path: '^lib/nodes/(definition|subgraph)[.]ts$' },
      to: { path: '^lib/graph/', pathNot: '^lib/graph/graph[.]ts$' },
    },
    {
      name: 'subgraph-types-are-types',
      comment: 'nodes import graph/graph.ts as types only (import type), so no module cycle runs at load time',
      severity: 'error',
      from: { path: '^lib/nodes/' },
      to: { path: '^lib/graph/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of lib/ has a layer in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: `^lib/(?!(${[...layerOf.keys()].join('|')})/)` },
      to: {},
    },
    {
      name: 'lib-not-from-outside',
      comment: 'lib/ does not import tests, scripts, benchmarks or the CLI entry',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(test|scripts|benchmarks|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
