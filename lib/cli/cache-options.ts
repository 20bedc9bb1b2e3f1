// The options of `sygra-stream cache`, all the command line needs to parse it; the command's work is in
// cache-command.ts, imported only when it runs.
import type { Argv } from 'yargs';

export interface CacheArgs {
  action: 'stats' | 'clear' | 'export' | 'show';
  key?: string;
  kind: 'completions' | 'embeddings' | 'scores';
  'cache-dir': string;
}

export function cacheBuilder(y: Argv): Argv<CacheArgs> {
  return y
    .positional('action', {
      choices: ['stats', 'clear', 'export', 'show'] as const,
      demandOption: true,
      describe: 'stats: entries and size; clear: delete every entry; export: every entry as NDJSON {key, value}; show KEY: one entry',
    })
    .positional('key', { type: 'string', describe: 'show: the key of the entry (cache export lists them)' })
    .option('kind', {
      choices: ['completions', 'embeddings', 'scores'] as const,
      default: 'completions' as const,
      describe: 'export, show: which database: chat and completion answers, embeddings, or scores',
    })
    .option('cache-dir', { type: 'string', default: '.sygra-cache', describe: 'Folder of the persistent LLM response cache' })
    .example('$0 cache stats', 'Entries and bytes in ./.sygra-cache')
    .example('$0 cache clear --cache-dir /data/cache', 'Forget every cached response')
    .example("$0 cache export | jq -r '.value.text' | head", 'Read the cached answers') as unknown as Argv<CacheArgs>;
}
