import type { ViewArgs } from './view-options.js';
import { ExitCode } from './exit-codes.js';
import { inputFileExists } from './input-file.js';
import { say, type Terminal } from './terminal.js';

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
