/**
 * One persistent cache tier (disk, Redis) for values of one kind (completions,
 * embeddings). The memory tier sits in front of all of them; adding or removing a tier is
 * one file implementing this.
 */
export interface CacheStore<V> {
  readonly name: string;
  /** The cached value, or undefined for a miss (a damaged entry is a miss too). */
  get(key: string): Promise<V | undefined>;
  /**
   * For tiers that can answer at once (a memory-mapped file): the value, undefined for a
   * miss, or null when it cannot answer now (then `get` is asked).
   */
  peek?(key: string): V | undefined | null;
  set(key: string, value: V): Promise<void>;
  /** Resolves when the tier can be used; rejects with the reason it cannot. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
