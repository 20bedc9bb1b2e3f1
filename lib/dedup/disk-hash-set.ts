import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { requireModule } from '../config/import-module.js';

/**
 * The overflow of an exact-dedup set on disk, in a scratch LMDB database that lives as long
 * as the run. Reads are synchronous memory-mapped lookups; writes are batched by LMDB, and
 * are answered from `pending` until they have landed.
 */
export class DiskHashSet {
  private readonly pending = new Map<string, number>();
  /** The last write handed to LMDB: its batches land in order, so this one lands last. */
  private lastWrite: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: RootDatabase<number, number[]>,
    readonly dir: string,
  ) {}

  static async open(parent: string): Promise<DiskHashSet> {
    const { open } = requireModule<typeof import('lmdb')>('lmdb');
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, 'sygra-dedup-'));
    // The set means nothing to another run: it goes when this process does.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const db = open<number, number[]>({ path: join(dir, 'seen.mdb'), noSync: true, noMetaSync: true, compression: false });
    return new DiskHashSet(db, dir);
  }

  get(hi: number, lo: number): number | undefined {
    return this.pending.get(`${hi}:${lo}`) ?? this.db.get([hi, lo]);
  }

  add(hi: number, lo: number, value: number): void {
    const key = `${hi}:${lo}`;
    this.pending.set(key, value);
    this.lastWrite = this.db.put([hi, lo], value).then(() => this.pending.delete(key));
  }

  /** Resolves once every write made so far is on disk (and no longer answered from memory). */
  async landed(): Promise<void> {
    await this.lastWrite;
  }
}
