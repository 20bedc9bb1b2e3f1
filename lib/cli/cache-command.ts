import type { CacheArgs } from './cache-options.js';
import { CACHE_FILES, completionCodec, embeddingCodec, numbersCodec } from '../llm/cache/codecs.js';
import { clearDiskCache, diskCacheEntries, diskCacheSummary, type DiskCodec } from '../llm/cache/disk-store.js';
import { ExitCode } from './exit-codes.js';
import { say } from './terminal.js';
import type { Terminal } from './terminal.js';

const CODECS = { completions: completionCodec, embeddings: embeddingCodec, scores: numbersCodec } as const;

export async function cacheHandler(args: CacheArgs, term: Terminal): Promise<number> {
  if (args.action === 'export' || args.action === 'show') {
    if (args.action === 'show' && !args.key) {
      say(term, 'cache show needs the KEY of an entry (cache export lists them)');
      return ExitCode.usage;
    }
    let found = false;
    for await (const entry of diskCacheEntries<unknown, unknown>(args['cache-dir'], CODECS[args.kind] as DiskCodec<unknown, unknown>)) {
      if (args.action === 'show' && entry.key !== args.key) continue;
      found = true;
      const value = entry.value instanceof Float32Array ? Array.from(entry.value) : entry.value;
      // A closed stdout (| head) ends the export quietly.
      if (!term.stdout.write(`${JSON.stringify({ key: entry.key, value })}\n`)) await new Promise((ok) => term.stdout.once('drain', ok));
      if (args.action === 'show') break;
    }
    if (args.action === 'show' && !found) {
      say(term, `no ${args.kind} entry with key ${args.key} in ${args['cache-dir']}`);
      return ExitCode.runtime;
    }
    return ExitCode.ok;
  }
  if (args.action === 'clear') {
    const cleared = await clearDiskCache(args['cache-dir'], CACHE_FILES);
    term.stdout.write(`cleared ${cleared} entries from ${args['cache-dir']}\n`);
    return 0;
  }
  term.stdout.write(JSON.stringify(await diskCacheSummary(args['cache-dir'], CACHE_FILES)) + '\n');
  return 0;
}
