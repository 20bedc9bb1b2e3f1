import type { OasstArgs } from './oasst-options.js';
import { inputFormatOf, openInput } from '../io/formats.js';
import { writeStatsFile } from '../io/stats-file.js';
import { RunOutputs } from '../io/outputs.js';
import { batchSource } from '../io/source.js';
import { RunStats } from '../metrics/run-stats.js';
import { OasstConverter, type OasstOptions } from '../oasst/convert.js';
import { oasstStage } from '../oasst/stage.js';
import { runRecords } from '../run/records-run.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists, pathsAreDistinct } from './input-file.js';
import { say, type Terminal } from './terminal.js';

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
  if (args.mode === 'rl' && args.format !== undefined && args.format !== 'oasst') {
    say(term, '--mode rl writes prompts as {id, prompt}; --format applies only as oasst (rows)');
    return ExitCode.usage;
  }
  if (args['top-k'] !== undefined && (!Number.isInteger(args['top-k']) || args['top-k'] < 1 || args.mode !== 'sft')) {
    say(term, '--top-k takes a whole number of 1 or more, with --mode sft');
    return ExitCode.usage;
  }
  if (args.split !== undefined && !(args.split > 0 && args.split < 1)) {
    say(term, '--split takes the train share, a number between 0 and 1 (e.g. 0.95)');
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
    treeStates: args['tree-state']
      ? args['tree-state']
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : null,
    keepSynthetic: args['keep-synthetic'],
    topK: args['top-k'] ?? null,
    split: args.split === undefined ? null : { train: args.split, seed: args.seed },
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
  const accounted = c.kept + c.duplicates + c.pruned_deleted + c.pruned_review + c.pruned_synthetic + c.dropped_lang + c.dropped_tree_state + c.orphaned;
  const report = { ...c, conserved: accounted === c.messages_in, mode: options.mode, format };
  if (args.stats) await writeStatsFile(args.stats, report);
  if (!args.quiet) {
    say(
      term,
      `${c.messages_in} messages in ${c.trees} trees: ${c.kept} kept, ${c.duplicates} duplicates, ` +
        `${c.pruned_deleted + c.pruned_review + c.pruned_synthetic} pruned, ${c.dropped_lang} other languages, ` +
        `${options.treeStates ? `${c.dropped_tree_state} in other tree states, ` : ''}${c.orphaned} orphaned; ` +
        `${c.records_out} ${options.mode === 'dpo' && format !== 'oasst' ? 'pairs' : format === 'oasst' ? 'rows' : options.mode === 'rl' ? 'prompts' : 'conversations'} out` +
        (options.split ? ` (${c.split_train} train, ${c.split_validation} validation)` : '') +
        (options.topK != null ? `; ${c.outside_top_k} outside the top ${options.topK}` : '') +
        (c.errors > 0 ? `; ${c.errors} errors${args.errors ? '' : ' (keep them with --errors FILE)'}` : ''),
    );
  }
  return ExitCode.ok;
}
