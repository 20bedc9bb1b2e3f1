import { inputFormatOf, openInput } from '../io/formats.js';
import { writeStatsFile } from '../io/stats-file.js';
import type { Argv } from 'yargs';
import { RunOutputs } from '../io/outputs.js';
import { batchSource } from '../io/source.js';
import { RunStats } from '../metrics/run-stats.js';
import { OasstConverter, type OasstOptions } from '../oasst/convert.js';
import { oasstStage } from '../oasst/stage.js';
import type { OutputFormat } from '../oasst/shape.js';
import { runRecords } from '../run/records-run.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists, pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';

export interface OasstArgs {
  input?: string;
  output?: string;
  errors?: string;
  stats?: string;
  'input-format': 'auto' | 'trees' | 'messages';
  mode: 'sft' | 'dpo';
  'best-path': boolean;
  pairs: 'best-vs-rest' | 'all';
  format?: OutputFormat;
  flat: boolean;
  lang?: string;
  sorted: boolean;
  quiet: boolean;
}

export function oasstBuilder(y: Argv): Argv<OasstArgs> {
  return y
    .option('input', { alias: 'i', type: 'string', describe: 'Read OASST data from FILE instead of stdin' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write to FILE (atomically) instead of stdout' })
    .option('errors', { type: 'string', describe: 'Write bad lines and orphan messages to FILE as {line, node, error, input}' })
    .option('stats', { type: 'string', describe: 'Write where every message went (JSON) to FILE' })
    .option('input-format', { choices: ['auto', 'trees', 'messages'] as const, default: 'auto' as const, describe: 'trees: one tree per line; messages: flat rows in any order; auto: per line' })
    .option('mode', { choices: ['sft', 'dpo'] as const, default: 'sft' as const, describe: 'sft: conversations; dpo: preference pairs from ranked replies' })
    .option('best-path', { type: 'boolean', default: false, describe: 'sft: one conversation per tree, following the best-ranked reply' })
    .option('pairs', { choices: ['best-vs-rest', 'all'] as const, default: 'best-vs-rest' as const, describe: 'dpo: best against each worse reply, or every pair of different ranks' })
    .option('format', { choices: ['sft', 'dpo', 'sharegpt', 'oasst'] as const, describe: 'Output shape (default: sft for --mode sft, dpo for --mode dpo)' })
    .option('flat', { type: 'boolean', default: false, describe: 'dpo: plain strings for prompt, chosen and rejected' })
    .option('lang', { type: 'string', describe: 'Keep trees whose first message is in these languages, e.g. en,de' })
    .option('sorted', { type: 'boolean', default: false, describe: 'messages: input is grouped by tree; emit each tree when the next begins' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary on stderr' })
    .example('$0 oasst -i trees.jsonl --lang en > sft.jsonl', 'English SFT conversations, one per assistant leaf')
    .example('$0 oasst -i messages.jsonl --mode dpo --flat > dpo.jsonl', 'Preference pairs with plain-string fields')
    .example('$0 oasst -i trees.jsonl --format oasst > rows.jsonl', 'Back to flat OASST rows (only the messages on kept conversations)') as unknown as Argv<OasstArgs>;
}

export async function oasstHandler(args: OasstArgs, term: Terminal): Promise<number> {
  if (!(await inputFileExists(args.input, term))) return ExitCode.usage;
  const named = [
    { flag: '--input', path: args.input, reads: true },
    { flag: '--output', path: args.output },
    { flag: '--errors', path: args.errors },
    { flag: '--stats', path: args.stats },
  ];
  if (!pathsAreDistinct(named, term)) return ExitCode.usage;
  const format = args.format ?? (args.mode === 'dpo' ? 'dpo' : 'sft');
  if (args.mode === 'sft' && format === 'dpo') {
    say(term, '--format dpo needs --mode dpo');
    return ExitCode.usage;
  }
  if (args.mode === 'dpo' && format === 'sft') {
    say(term, '--format sft needs --mode sft (DPO records have prompt, chosen and rejected)');
    return ExitCode.usage;
  }
  const options: OasstOptions = {
    layout: args['input-format'],
    mode: args.mode,
    bestPath: args['best-path'],
    pairs: args.pairs,
    format,
    flat: args.flat,
    langs: args.lang
      ? args.lang
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)
      : null,
    sorted: args.sorted,
  };
  const converter = new OasstConverter(options);
  const stats = new RunStats();
  const stop = new AbortController();
  const result = await runRecords({
    // Read as `run` reads: .gz and .zst are decompressed, a JSON array is streamed.
    openInput: () => openInput(args.input, inputFormatOf(args.input, undefined), term.stdin),
    outputs: new RunOutputs({ output: args.output, errors: args.errors }, term.stdout),
    stats,
    stopReading: stop,
    source: (input) => batchSource(input, null, stats, stop.signal),
    pipeline: oasstStage(converter, null, stats),
  });
  if (!result.ok) {
    say(term, result.message);
    return ExitCode.runtime;
  }
  const c = converter.counts;
  const accounted = c.kept + c.duplicates + c.pruned_deleted + c.pruned_review + c.dropped_lang + c.orphaned;
  const report = { ...c, conserved: accounted === c.messages_in, mode: options.mode, format };
  if (args.stats) await writeStatsFile(args.stats, report);
  if (!args.quiet) {
    say(
      term,
      `${c.messages_in} messages in ${c.trees} trees: ${c.kept} kept, ${c.duplicates} duplicates, ` +
        `${c.pruned_deleted + c.pruned_review} pruned, ${c.dropped_lang} other languages, ${c.orphaned} orphaned; ` +
        `${c.records_out} ${options.mode === 'dpo' && format !== 'oasst' ? 'pairs' : format === 'oasst' ? 'rows' : 'conversations'} out` +
        (c.errors > 0 ? `; ${c.errors} errors${args.errors ? '' : ' (keep them with --errors FILE)'}` : ''),
    );
  }
  return ExitCode.ok;
}
