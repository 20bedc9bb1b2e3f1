// The options of `sygra-stream view`, all the command line needs to parse it; the command's work is in
// view-command.ts, imported only when it runs.
import type { Argv } from 'yargs';

export interface ViewArgs {
  files: string[];
  labels?: string;
  port: number;
  host: string;
}

export function viewBuilder(y: Argv): Argv<ViewArgs> {
  return y
    .positional('files', { type: 'string', array: true, demandOption: true, describe: 'NDJSON files: outputs, --rejected and --errors files (any size; read from disk, never loaded whole)' })
    .option('labels', { type: 'string', describe: 'Sidecar NDJSON file for accept / reject / flag labels (default: FIRST_FILE.labels.jsonl)' })
    .option('port', { type: 'number', default: 0, describe: 'Port to serve on (0: a free one; the URL is printed)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to serve on; the viewer has no login, so keep it on loopback' })
    .example('$0 view out.jsonl rejected.jsonl errors.jsonl', 'Browse, filter and label; labels go to out.jsonl.labels.jsonl')
    .example('$0 view big.jsonl --labels review.jsonl --port 8080', 'A fixed port and labels file; a later graph joins the labels with a lookup node (docs/reports.md)')
    .epilogue(
      [
        'The URL is the first line on stdout; the viewer serves until Ctrl-C.',
        'Keys: j/k move, Enter opens, [ and ] page, / searches; on a record a, r, f label',
        '(accept, reject, flag), c clears, j/k go to the next/previous record, Esc goes back.',
      ].join('\n'),
    ) as unknown as Argv<ViewArgs>;
}
