import type { Argv } from 'yargs';
import { ExitCode } from './exit-codes.js';
import { inputFileExists } from './input-file.js';
import { say, type Terminal } from './terminal.js';

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

/** Serves the viewer until SIGINT or SIGTERM. */
export async function viewHandler(args: ViewArgs, term: Terminal): Promise<number> {
  for (const file of args.files) if (!(await inputFileExists(file, term))) return ExitCode.usage;
  const { LabelStore } = await import('../view/labels.js');
  const { startViewer } = await import('../view/server.js');
  const labelsPath = args.labels ?? `${args.files[0]}.labels.jsonl`;
  if (args.files.includes(labelsPath)) {
    say(term, `--labels ${labelsPath} is one of the viewed files; name another file`);
    return ExitCode.usage;
  }
  let labels: Awaited<ReturnType<typeof LabelStore.open>>;
  try {
    labels = await LabelStore.open(labelsPath);
  } catch (err) {
    say(term, `--labels: ${(err as Error).message}`);
    return ExitCode.usage;
  }
  let viewer: Awaited<ReturnType<typeof startViewer>>;
  try {
    viewer = await startViewer({ files: args.files, labels, host: args.host, port: args.port, onEvent: (message) => say(term, message) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    say(term, code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' ? `cannot listen on ${args.host}:${args.port}: ${code}` : (err as Error).message);
    return ExitCode.runtime;
  }
  term.stdout.write(`${viewer.url}\n`);
  say(term, `viewer on ${viewer.url} (labels go to ${labelsPath}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await viewer.close();
  return ExitCode.ok;
}
