import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { requireModule } from '../../config/import-module.js';
import type { CacheStore } from './store.js';

type Lmdb = typeof import('lmdb');

const STRUCTURES = Symbol.for('sygra-stream.structures');

/** How one kind of value is kept on disk: its database file and its stored form. */
export interface DiskCodec<V, S> {
  /** The database file inside the cache folder. */
  readonly file: string;
  encode(value: V): S;
  /** The value, or undefined when the stored form is not what this version writes. */
  decode(stored: S): V | undefined;
}

/** lmdb is loaded only by runs that use the disk cache: startup stays short for the rest. */
async function loadLmdb(): Promise<Lmdb> {
  return requireModule<Lmdb>('lmdb');
}

/**
 * Values on disk in an LMDB database. LMDB commits whole transactions through
 * copy-on-write pages, so a crash mid-write leaves the last committed state (a torn entry
 * is never served), and several processes may share one folder (it locks for them).
 * Reads are memory-mapped: a warm cache answers hundreds of thousands of lookups a second.
 */
export class DiskStore<V, S> implements CacheStore<V> {
  readonly name = 'disk';
  private db: Promise<RootDatabase<S, string>> | null = null;
  /** The database once open: reads then need no promise. */
  private opened: RootDatabase<S, string> | null = null;

  /** Opens nothing yet: the folder is made and the database opened by the first use. */
  constructor(
    readonly dir: string,
    private readonly codec: DiskCodec<V, S>,
    private readonly readOnly = false,
  ) {}

  private database(): Promise<RootDatabase<S, string>> {
    if (this.db === null) {
      this.db = openDb<S>(this.dir, this.codec.file);
      this.db.then(
        (db) => (this.opened = db),
        () => undefined,
      );
    }
    return this.db;
  }

  /** Opens the database; rejects when the folder cannot be used. */
  async ready(): Promise<void> {
    await this.database();
  }

  async get(key: string): Promise<V | undefined> {
    return this.read(await this.database(), key);
  }

  /** The value when the database is open (undefined: not there); null while it is not yet open. */
  peek(key: string): V | undefined | null {
    if (this.opened) return this.read(this.opened, key);
    void this.database();
    return null;
  }

  private read(db: RootDatabase<S, string>, key: string): V | undefined {
    let stored: S | undefined;
    try {
      stored = db.get(key);
    } catch {
      return undefined;
    }
    return stored === undefined ? undefined : this.codec.decode(stored);
  }

  async set(key: string, value: V): Promise<void> {
    if (this.readOnly) return;
    await (await this.database()).put(key, this.codec.encode(value));
  }

  async close(): Promise<void> {
    const db = this.db === null ? null : await this.db.catch(() => null);
    await db?.close();
  }
}

async function openDb<S>(dir: string, file: string): Promise<RootDatabase<S, string>> {
  const { open } = await loadLmdb();
  mkdirSync(dir, { recursive: true });
  // Shared msgpack structures: the field layout of a value is stored once in the database
  // rather than with every value, which makes a warm-cache read about twice as fast.
  return open<S, string>({ path: join(dir, file), compression: false, sharedStructuresKey: STRUCTURES });
}

export interface DiskCacheSummary {
  dir: string;
  entries: number;
  bytes: number;
  /** Entries per database file (completions, embeddings). */
  files: Record<string, number>;
}

export async function diskCacheSummary(dir: string, files: readonly string[]): Promise<DiskCacheSummary> {
  const summary: DiskCacheSummary = { dir, entries: 0, bytes: 0, files: {} };
  for (const file of files) {
    try {
      summary.bytes += statSync(join(dir, file)).size;
    } catch {
      continue;
    }
    const db = await openDb(dir, file);
    const entries = db.getCount();
    await db.close();
    summary.entries += entries;
    summary.files[file] = entries;
  }
  return summary;
}

export async function clearDiskCache(dir: string, files: readonly string[]): Promise<number> {
  const { files: counts } = await diskCacheSummary(dir, files);
  let cleared = 0;
  for (const [file, entries] of Object.entries(counts)) {
    if (entries === 0) continue;
    const db = await openDb(dir, file);
    await db.clearAsync();
    await db.close();
    cleared += entries;
  }
  return cleared;
}

/**
 * Every entry of one database of the cache folder, decoded, in key order; a file that is
 * not there has none. Read in a read-only view: a run writing meanwhile is not disturbed.
 */
export async function* diskCacheEntries<V, S>(dir: string, codec: DiskCodec<V, S>): AsyncGenerator<{ key: string; value: V }> {
  try {
    statSync(join(dir, codec.file));
  } catch {
    return;
  }
  const db = await openDb<S>(dir, codec.file);
  try {
    for (const { key, value } of db.getRange()) {
      const decoded = codec.decode(value);
      if (decoded !== undefined) yield { key: String(key), value: decoded };
    }
  } finally {
    await db.close();
  }
}
