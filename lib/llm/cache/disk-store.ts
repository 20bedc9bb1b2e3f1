import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import type { Completion } from '../types.js';
import type { CacheStore } from './store.js';

/** The database file inside the cache folder. */
const DB_FILE = 'llm-responses.mdb';

type Lmdb = typeof import('lmdb');

/** What is written: a Completion whose message may be left out when it is just the text. */
type StoredCompletion = Omit<Completion, 'message'> & { message?: Completion['message'] };

/** lmdb is loaded only by runs that use the disk cache: startup stays short for the rest. */
async function loadLmdb(): Promise<Lmdb> {
  return import('lmdb');
}

/**
 * Completions on disk in an LMDB database. LMDB commits whole transactions through
 * copy-on-write pages, so a crash mid-write leaves the last committed state (a torn entry
 * is never served), and several processes may share one folder (it locks for them).
 * Reads are memory-mapped: a warm cache answers hundreds of thousands of lookups a second.
 */
export class DiskStore implements CacheStore {
  readonly name = 'disk';
  private readonly db: Promise<RootDatabase<StoredCompletion, string>>;

  /** Starts opening the database; `ready()` reports a folder that cannot be used. */
  constructor(
    readonly dir: string,
    private readonly readOnly = false,
  ) {
    this.db = openDb(dir);
    this.db.catch(() => undefined);
  }

  async ready(): Promise<void> {
    await this.db;
  }

  async get(key: string): Promise<Completion | undefined> {
    const db = await this.db;
    let stored: StoredCompletion | undefined;
    try {
      stored = db.get(key);
    } catch {
      return undefined;
    }
    if (!stored) return undefined;
    return { ...stored, message: stored.message ?? { role: 'assistant', content: stored.text } };
  }

  async set(key: string, value: Completion): Promise<void> {
    if (this.readOnly) return;
    // A plain assistant message repeats the text: store it once.
    const plain = value.message.role === 'assistant' && value.message.content === value.text && Object.keys(value.message).length === 2;
    const stored: StoredCompletion = plain ? { text: value.text, finish_reason: value.finish_reason, usage: value.usage } : value;
    await (await this.db).put(key, stored);
  }

  async close(): Promise<void> {
    const db = await this.db.catch(() => null);
    await db?.close();
  }
}

async function openDb(dir: string): Promise<RootDatabase<StoredCompletion, string>> {
  const { open } = await loadLmdb();
  mkdirSync(dir, { recursive: true });
  return open<StoredCompletion, string>({ path: join(dir, DB_FILE), compression: false });
}

export interface DiskCacheSummary {
  dir: string;
  entries: number;
  bytes: number;
}

export async function diskCacheSummary(dir: string): Promise<DiskCacheSummary> {
  const file = join(dir, DB_FILE);
  let bytes = 0;
  try {
    bytes = statSync(file).size;
  } catch {
    return { dir, entries: 0, bytes: 0 };
  }
  const db = await openDb(dir);
  const entries = db.getCount();
  await db.close();
  return { dir, entries, bytes };
}

export async function clearDiskCache(dir: string): Promise<number> {
  const { entries } = await diskCacheSummary(dir);
  if (entries === 0) return 0;
  const db = await openDb(dir);
  await db.clearAsync();
  await db.close();
  return entries;
}
