import cacache from 'cacache';
import type { Completion } from '../types.js';
import type { CacheStore } from './store.js';

/**
 * Completions on disk, in a cacache folder (npm's own cache format). cacache writes
 * content to a temporary file and moves it into place, indexes it by its sha512, and
 * checks that hash on every read: a write torn by a crash is never served, and several
 * runs can share the folder.
 */
export class DiskStore implements CacheStore {
  readonly name = 'disk';

  constructor(
    readonly dir: string,
    private readonly readOnly = false,
  ) {}

  async get(key: string): Promise<Completion | undefined> {
    try {
      const { data } = await cacache.get(this.dir, key);
      return JSON.parse(data.toString('utf8')) as Completion;
    } catch {
      // ENOENT (a miss), EINTEGRITY (damaged) or unparsable: all are misses.
      return undefined;
    }
  }

  async set(key: string, value: Completion): Promise<void> {
    if (this.readOnly) return;
    await cacache.put(this.dir, key, JSON.stringify(value));
  }
}

export interface DiskCacheSummary {
  dir: string;
  entries: number;
  bytes: number;
}

export async function diskCacheSummary(dir: string): Promise<DiskCacheSummary> {
  const index = await cacache.ls(dir);
  let bytes = 0;
  for (const entry of Object.values(index)) bytes += entry.size ?? 0;
  return { dir, entries: Object.keys(index).length, bytes };
}

export async function clearDiskCache(dir: string): Promise<void> {
  await cacache.rm.all(dir);
}
