import type { PushArgs } from './push-options.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pushDatasetFolder } from '../io/hf-push.js';
import { hubAccessFrom, parseHfUrl } from '../io/hf-source.js';
import { ExitCode } from './exit-codes.js';
import { say, type Terminal } from './terminal.js';

/** Pushes a dataset folder to the Hub in one commit (again after a push that was cut short: uploaded files are not sent twice). */

export async function pushHandler(args: PushArgs, term: Terminal): Promise<number> {
  const hub = parseHfUrl(args.target);
  if (!hub || 'error' in hub) {
    say(term, hub ? hub.error : `${args.target}: push to a Hub dataset, hf://datasets/OWNER/NAME`);
    return ExitCode.usage;
  }
  const isFolder = await stat(join(args.folder, 'data')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    say(term, `${args.folder} is not a dataset folder (no data/ in it); write one with run --output DIR/`);
    return ExitCode.usage;
  }
  const pushed = await pushDatasetFolder(args.folder, hub, hubAccessFrom(process.env), (message) => {
    if (!args.quiet) say(term, message);
  });
  if ('error' in pushed) {
    say(term, pushed.error);
    return /needs HF_TOKEN/.test(pushed.error) ? ExitCode.usage : ExitCode.runtime;
  }
  return ExitCode.ok;
}
