import { Type } from '@sinclair/typebox';
import { withDefault, type ConfigOf } from '../config/defaults.js';
import type { OasstOptions } from './convert.js';

/** The graph file's `source: {type: oasst}`: OASST data in, conversations to the first node. */
export const OasstSourceSchema = Type.Object(
  {
    type: Type.Literal('oasst'),
    mode: withDefault(Type.Union([Type.Literal('sft'), Type.Literal('dpo')], { description: 'sft: conversations; dpo: preference pairs.' }), 'sft'),
    best_path: withDefault(Type.Boolean({ description: 'sft: one conversation per tree along the best-ranked replies.' }), false),
    pairs: withDefault(
      Type.Union([Type.Literal('best-vs-rest'), Type.Literal('all')], { description: 'dpo: the best reply against each worse one, or every pair of different ranks.' }),
      'best-vs-rest',
    ),
    lang: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Keep trees whose first message is in these languages.' })),
    input_format: withDefault(
      Type.Union([Type.Literal('auto'), Type.Literal('trees'), Type.Literal('messages')], { description: 'trees, flat messages, or auto: told apart by the first line.' }),
      'auto',
    ),
    sorted: Type.Optional(Type.Boolean({ description: 'messages: input grouped by tree.' })),
    tree_state: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Keep trees in these export states (ready_for_export is what the OpenAssistant loader keeps); all when absent.' }),
    ),
    keep_synthetic: withDefault(Type.Boolean({ description: 'Keep model-written (synthetic) messages; they go otherwise, with what is below them.' }), false),
    top_k: Type.Optional(Type.Integer({ minimum: 1, description: 'sft: keep conversations whose assistant turns are all among the k best ranked replies.' })),
  },
  { additionalProperties: false, description: 'Read OASST trees or messages and feed SFT conversations (or DPO pairs) to the graph.' },
);

export type OasstSourceConfig = ConfigOf<typeof OasstSourceSchema>;

export function sourceOptions(c: OasstSourceConfig): OasstOptions {
  const mode = c.mode;
  return {
    layout: c.input_format,
    mode,
    bestPath: c.best_path,
    pairs: c.pairs,
    format: mode === 'dpo' ? 'dpo' : 'sft',
    flat: false,
    langs: c.lang === undefined ? null : [c.lang].flat(),
    sorted: c.sorted ?? false,
    treeStates: c.tree_state === undefined ? null : [c.tree_state].flat(),
    keepSynthetic: c.keep_synthetic,
    topK: c.top_k ?? null,
  };
}
