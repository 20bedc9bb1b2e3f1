import type { ChatRequest, Completion, TokenUsage } from '../types.js';

/**
 * A provider's batch API, as the batch transport uses it: requests are written as entries,
 * submitted together, polled, and their results read back by custom id. Providers charge
 * half price for it and answer within hours, not seconds.
 */
export interface BatchApi {
  /** The provider's name, for messages and the journal. */
  readonly provider: string;
  /** The most requests, and bytes of entries, one batch may hold. */
  readonly maxRequests: number;
  readonly maxBytes: number;
  /** One request as the provider's batch entry (JSON). */
  entry(customId: string, request: ChatRequest): unknown;
  /** Submits the entries; resolves to the batch's id. */
  submit(entries: readonly unknown[]): Promise<string>;
  /** Where the batch stands. */
  state(id: string): Promise<BatchState>;
  /**
   * An ended batch's results, all of them; requests it does not list did not finish
   * (expired, cancelled). `requests` gives those this run knows (to estimate tokens a
   * result does not count).
   */
  results(id: string, requests: ReadonlyMap<string, ChatRequest>): Promise<BatchResult[]>;
  close(): Promise<void>;
}

export type BatchState = { kind: 'running'; status: string } | { kind: 'ended'; status: string } | { kind: 'failed'; status: string; reason: string };

export type BatchResult = { customId: string; reply: { value: Completion; usage: TokenUsage } } | { customId: string; error: string };

/** What --stats says about one batch. */
export interface BatchRecord {
  id: string;
  /** The provider's word for where it stands (validating, in_progress, completed, ended, expired, …). */
  status: string;
  requests: number;
  succeeded: number;
  failed: number;
}
