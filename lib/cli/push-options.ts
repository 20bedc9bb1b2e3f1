// The options of `sygra-stream push`, all the command line needs to parse it; the command's work is in
// push-command.ts, imported only when it runs.
import type { Argv } from 'yargs';

export interface PushArgs {
  folder: string;
  target: string;
  quiet: boolean;
}

export function pushBuilder(y: Argv): Argv<PushArgs> {
  return y
    .positional('folder', { type: 'string', demandOption: true, describe: 'A dataset folder, as `run --output DIR/` writes it (data/ shards and README.md)' })
    .positional('target', { type: 'string', demandOption: true, describe: 'hf://datasets/OWNER/NAME, optionally @BRANCH' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on stderr but errors' })
    .example('$0 push out/ hf://datasets/me/my-sft', 'One commit with the shards and the card; the repository is created private if need be')
    .epilogue('HF_TOKEN (with write access) is read from the environment and never printed; HF_ENDPOINT points at another Hub.') as unknown as Argv<PushArgs>;
}
