import { Type, type Static } from '@sinclair/typebox';
import type { OasstOptions } from './convert.js';

/** The graph file's `source: {type: oasst}`: OASST data in, conversations to the first node. */
export const OasstSourceSchema = Type.Object(
  {
    type: Type.Literal('oasst'),
    mode: Type.Optional(Type.Union([Type.Literal('sft'), Type.Literal('dpo')], { description: 'sft: conversations (default); dpo: preference pairs.' })),
    best_path: Type.Optional(Type.Boolean({ description: 'sft: one conversation per tree along the best-ranked replies.' })),
    pairs: Type.Optional(Type.Union([Type.Literal('best-vs-rest'), Type.Literal('all')])),
    lang: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Keep trees whose first message is in these languages.' })),
    input_format: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('trees'), Type.Literal('messages')])),
    sorted: Type.Optional(Type.Boolean({ description: 'messages: input grouped by tree.' })),
  },
  { additionalProperties: false, description: 'Read OASST trees or messages and feed SFT conversations (or DPO pairs) to the graph.' },
);

export type OasstSourceConfig = Static<typeof OasstSourceSchema>;

export function sourceOptions(c: OasstSourceConfig): OasstOptions {
  const mode = c.mode ?? 'sft';
  return {
    layout: c.input_format ?? 'auto',
    mode,
    bestPath: c.best_path ?? false,
    pairs: c.pairs ?? 'best-vs-rest',
    format: mode === 'dpo' ? 'dpo' : 'sft',
    flat: false,
    langs: c.lang === undefined ? null : [c.lang].flat(),
    sorted: c.sorted ?? false,
  };
}
