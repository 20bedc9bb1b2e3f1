import { withComputedDefault, withDefault } from '../config/defaults.js';
import { Type, type TSchema } from '@sinclair/typebox';
import { OutputSchema } from '../formats/output-schema.js';
import { ModelSchema } from '../llm/model-schema.js';
import { OasstSourceSchema } from '../oasst/source-schema.js';
import type { NodeDefinition } from '../nodes/definition.js';

export const NODE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

export const JoinSchema = Type.Object(
  {
    merge: withDefault(
      Type.Union([Type.Literal('deep'), Type.Literal('branches'), Type.Object({ module: Type.String(), export: Type.Optional(Type.String()) }, { additionalProperties: false })], {
        description:
          "deep: the fields each branch set, merged (two branches setting one field differently is an error); branches: each branch's record under its first node's name; {module, export}: a JS function (branches, input, ctx) => record.",
      }),
      'deep',
    ),
    on_branch_error: withDefault(
      Type.Union([Type.Literal('error'), Type.Literal('drop_branch')], { description: 'A branch that fails: the record becomes an error, or the join goes on without that branch.' }),
      'error',
    ),
    on_branch_filtered: withDefault(
      Type.Union([Type.Literal('drop'), Type.Literal('keep_others')], { description: 'A branch that filters the record: the record is filtered, or the join goes on without that branch.' }),
      'drop',
    ),
  },
  { additionalProperties: false, description: 'On an edge from several nodes: waits for every branch of a record and merges them.' },
);

export const EdgeSchema = Type.Object(
  {
    from: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], {
      description: 'Node name, or START; a list of nodes (the last node of each branch) on a join edge.',
    }),
    to: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 2 }), Type.Record(Type.String(), Type.String())], {
        description: 'Node name or END; a list of nodes to fan out to (each branch gets the record); or node → JS condition over `record`, the first true one wins.',
      }),
    ),
    router: Type.Optional(
      Type.Object({ module: Type.String(), export: Type.Optional(Type.String()) }, { additionalProperties: false, description: 'A JS function (record, ctx) => node name, instead of `to`.' }),
    ),
    join: Type.Optional(JoinSchema),
    max_iterations: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'On an edge back to an earlier node: the most rounds a record makes.' })),
    until: Type.Optional(Type.String({ description: 'On a loop edge: a JS condition that ends the loop early.' })),
    on_max: withComputedDefault(Type.String({ description: 'On a loop edge: END, error, or a node, for records that used every round.' }), "the node's forward edge"),
  },
  { additionalProperties: false, description: 'Records leaving `from` go to `to`.' },
);

/** The graph file's top level. Node bodies are checked per type against the registry. */
export const GraphFileSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    models: Type.Optional(
      Type.Record(Type.String({ pattern: NODE_NAME_PATTERN }), ModelSchema, {
        description: 'Model name → endpoint and limits. Without it, llm nodes use the implicit model "default".',
      }),
    ),
    nodes: Type.Record(Type.String({ pattern: NODE_NAME_PATTERN }), Type.Object({ type: Type.String() }), {
      description: 'Node name → node config. Without `edges`, nodes run in the order written.',
      minProperties: 1,
    }),
    edges: Type.Optional(Type.Array(EdgeSchema, { description: 'Optional. START and END are implicit node names.' })),
    source: Type.Optional(OasstSourceSchema),
    output: Type.Optional(OutputSchema),
  },
  { additionalProperties: false },
);

/** JSON Schema of graph files for editors, derived from the same schemas the validator uses. */
export function graphJsonSchema(nodeTypes: Iterable<NodeDefinition>): TSchema {
  const nodes = [...nodeTypes].map((d) => d.schema);
  const top = structuredClone(GraphFileSchema) as unknown as Record<string, unknown>;
  const properties = top.properties as Record<string, Record<string, unknown>>;
  properties.nodes = {
    ...properties.nodes,
    patternProperties: { [NODE_NAME_PATTERN]: { anyOf: structuredClone(nodes) } },
    additionalProperties: false,
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'sygra-stream graph file',
    ...top,
  } as unknown as TSchema;
}
