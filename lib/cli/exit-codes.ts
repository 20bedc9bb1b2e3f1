/** Process exit codes; docs/running.md and `--help` list the same table. */
export const ExitCode = {
  ok: 0,
  /** The run itself failed: cannot read or write, --fail-fast stopped it, a model is unreachable or kept failing. */
  runtime: 1,
  /** Bad usage or a bad graph file, found before the first record is read. */
  usage: 2,
  /** --max-cost or --max-requests reached: stopped before exceeding it, everything flushed. */
  budget: 3,
  /** Stopped by Ctrl-C (SIGINT) after flushing what was in flight. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    success (also when stdout closes early, e.g. `| head`)',
  '  1    runtime failure: cannot read or write, --fail-fast hit an error, a model endpoint',
  '       was unreachable at preflight, or a model kept failing (circuit breaker)',
  '  2    usage or graph-file error (every problem listed as file:line:col key.path: message)',
  '  3    --max-cost or --max-requests reached: stopped before exceeding it; records read but',
  '       not finished are in --errors as "not processed"',
  '  130  interrupted by Ctrl-C after flushing in-flight records and stats',
].join('\n');
