import type { Argv } from 'yargs';
import { CACHE_FILES } from '../llm/cache/codecs.js';
import { clearDiskCache, diskCacheSummary } from '../llm/cache/disk-store.js';
import type { Terminal } from './terminal.js';

export interface CacheArgs {
  action: 'stats' | 'clear';
  'cache-dir': string;
}

export function cacheBuilder(y: Argv): Argv<CacheArgs> {
  return y
    .positional('action', { choices: ['stats', 'clear'] as const, demandOption: true, describe: 'stats: entries and size; clear: delete every entry' })
    .option('cache-dir', { type: 'string', default: '.sygra-cache', describe: 'Folder of the persistent LLM response cache' })
    .example('$0 cache stats', 'Entries and bytes in ./.sygra-cache')
    .example('$0 cache clear --cache-dir /data/cache', 'Forget every cached response') as unknown as Argv<CacheArgs>;
}

export async function cacheHandler(args: CacheArgs, term: Terminal): Promise<number> {
  if (args.action === 'clear') {
    const cleared = await clearDiskCache(args['cache-dir'], CACHE_FILES);
    term.stdout.write(`cleared ${cleared} entries from ${args['cache-dir']}\n`);
    return 0;
  }
  term.stdout.write(JSON.stringify(await diskCacheSummary(args['cache-dir'], CACHE_FILES)) + '\n');
  return 0;
}
