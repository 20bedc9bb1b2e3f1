import type { Completion } from '../types.js';

/**
 * One persistent cache tier (disk, Redis). The memory tier sits in front of all of them;
 * adding or removing a tier is one file implementing this.
 */
export interface CacheStore {
  readonly name: string;
  /** The cached completion, or undefined for a miss (a damaged entry is a miss too). */
  get(key: string): Promise<Completion | undefined>;
  set(key: string, value: Completion): Promise<void>;
  /** Resolves when the tier can be used; rejects with the reason it cannot. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
