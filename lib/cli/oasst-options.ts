// The options of `sygra-stream oasst`, all the command line needs to parse it; the command's work is in
// oasst-command.ts, imported only when it runs.
import type { Argv } from 'yargs';
import type { OutputFormat } from '../oasst/shape.js';

export interface OasstArgs {
  input?: string;
  output?: string;
  errors?: string;
  stats?: string;
  'input-format': 'auto' | 'trees' | 'messages';
  mode: 'sft' | 'dpo' | 'rl';
  'best-path': boolean;
  pairs: 'best-vs-rest' | 'all';
  format?: OutputFormat;
  flat: boolean;
  lang?: string;
  sorted: boolean;
  'tree-state'?: string;
  'keep-synthetic': boolean;
  'top-k'?: number;
  split?: number;
  seed: number;
  quiet: boolean;
}

export function oasstBuilder(y: Argv): Argv<OasstArgs> {
  return y
    .option('input', { alias: 'i', type: 'string', describe: 'Read OASST data from FILE instead of stdin' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write to FILE (atomically) instead of stdout' })
    .option('errors', { type: 'string', describe: 'Write bad lines and orphan messages to FILE as {line, node, error, input}' })
    .option('stats', { type: 'string', describe: 'Write where every message went (JSON) to FILE' })
    .option('input-format', { choices: ['auto', 'trees', 'messages'] as const, default: 'auto' as const, describe: 'trees: one tree per line; messages: flat rows in any order; auto: per line' })
    .option('mode', {
      choices: ['sft', 'dpo', 'rl'] as const,
      default: 'sft' as const,
      describe: 'sft: conversations; dpo: preference pairs from ranked replies; rl: prompts (every conversation ending on a user turn, as {id, prompt})',
    })
    .option('best-path', { type: 'boolean', default: false, describe: 'sft: one conversation per tree, following the best-ranked reply' })
    .option('pairs', { choices: ['best-vs-rest', 'all'] as const, default: 'best-vs-rest' as const, describe: 'dpo: best against each worse reply, or every pair of different ranks' })
    .option('format', { choices: ['sft', 'dpo', 'sharegpt', 'oasst'] as const, describe: 'Output shape (default: sft for --mode sft, dpo for --mode dpo)' })
    .option('flat', { type: 'boolean', default: false, describe: 'dpo: plain strings for prompt, chosen and rejected' })
    .option('lang', { type: 'string', describe: 'Keep trees whose first message is in these languages, e.g. en,de' })
    .option('tree-state', { type: 'string', describe: 'Keep trees in these export states, e.g. ready_for_export (what the OpenAssistant loader keeps); all by default' })
    .option('keep-synthetic', { type: 'boolean', default: false, describe: 'Keep model-written (synthetic) messages; by default they go, with their subtrees' })
    .option('top-k', { type: 'number', describe: 'sft: keep conversations whose assistant turns are all among the K best ranked replies' })
    .option('split', { type: 'number', describe: 'Put each tree on the train side with this probability, else validation (a `split` field on each record); no tree on both' })
    .option('seed', { type: 'number', default: 0, describe: 'With --split: which trees go where (the same seed, the same split)' })
    .option('sorted', { type: 'boolean', default: false, describe: 'messages: input is grouped by tree; emit each tree when the next begins' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary on stderr' })
    .example('$0 oasst -i trees.jsonl --lang en > sft.jsonl', 'English SFT conversations, one per assistant leaf')
    .example('$0 oasst -i messages.jsonl --mode dpo --flat > dpo.jsonl', 'Preference pairs with plain-string fields')
    .example('$0 oasst -i trees.jsonl --format oasst > rows.jsonl', 'Back to flat OASST rows (only the messages on kept conversations)') as unknown as Argv<OasstArgs>;
}
