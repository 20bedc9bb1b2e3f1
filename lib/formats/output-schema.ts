import { Type, type Static } from '@sinclair/typebox';
import { withDefault, type ConfigOf } from '../config/defaults.js';

/** The graph file's `output:` block: the shape records are written in. */
export const OutputSchema = Type.Object(
  {
    format: Type.Union([Type.Literal('raw'), Type.Literal('sft'), Type.Literal('dpo'), Type.Literal('sharegpt'), Type.Literal('oasst')], {
      description: 'raw: records as they are; sft/dpo/sharegpt/oasst: reshaped, and records that do not fit become errors.',
    }),
    id: withDefault(Type.String({ description: 'Field holding the record id.' }), 'id'),
    messages: withDefault(Type.String({ description: 'sft, sharegpt, oasst: field holding the conversation.' }), 'messages'),
    prompt: withDefault(Type.String({ description: 'dpo: field holding the prompt, a string or messages.' }), 'prompt'),
    chosen: withDefault(Type.String({ description: 'dpo: field holding the preferred answer.' }), 'chosen'),
    rejected: withDefault(Type.String({ description: 'dpo: field holding the other answer.' }), 'rejected'),
    tools: withDefault(Type.String({ description: 'sft, sharegpt: field holding the tool definitions a conversation with tool calls was made with (written as `tools`).' }), 'tools'),
    reasoning: withDefault(
      Type.Union([Type.Literal('keep'), Type.Literal('drop')], {
        description: "sft, sharegpt: keep the reasoning assistant turns carry (`reasoning_content`, read by reasoning models' chat templates), or drop it.",
      }),
      'keep',
    ),
    meta: Type.Optional(Type.Array(Type.String(), { description: "Fields copied into `meta` (a record's own `meta` is kept too)." })),
    flat: Type.Optional(Type.Boolean({ description: 'dpo: plain strings for prompt, chosen and rejected.' })),
    schema: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema every written record must satisfy; the others become errors naming the failing path.' })),
  },
  { additionalProperties: false },
);

export type OutputConfig = Static<typeof OutputSchema>;
/** `output:` with its defaults filled in. */
export type OutputSettings = ConfigOf<typeof OutputSchema>;
