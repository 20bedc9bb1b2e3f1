import type { NodeStats } from '../metrics/run-stats.js';
import type { Item } from '../record/item.js';

/** What a worker thread is started with: enough to load and compile the same graph. */
export interface ThreadWorkerData {
  graphPath: string;
  seed: number;
  /** Whether records that ended filtered, or failed, are written anywhere (--rejected, --errors): if not, they are not sent back. */
  keepFiltered: boolean;
  keepFailed: boolean;
}

/** One batch for a worker: its lines, each ended by a newline (a view of a shared buffer the main thread reuses once the worker has answered), with their line numbers and input order. */
export interface ThreadJob {
  id: number;
  data: Uint8Array;
  lines: Int32Array;
  seqs: Int32Array;
}

/** Sent to an idle worker at the end of the run: it exits on its own (see ThreadPool.close). */
export interface ThreadClose {
  close: true;
}

/** Whether a message to a worker is ThreadClose. */
export function isThreadClose(message: unknown): message is ThreadClose {
  return typeof message === 'object' && message !== null && 'close' in message;
}

/** A terminal item (filtered or failed) sent back with its record. */
export type EndedItem = Pick<Item, 'seq' | 'line' | 'record' | 'outcome' | 'raw'>;

/** A worker's answer: the records to write as NDJSON, the ones that ended otherwise, and what each node counted. */
export type ThreadResult =
  | {
      id: number;
      /** Output records, one line each, in order. */
      out: Uint8Array;
      outLines: Int32Array;
      outSeqs: Int32Array;
      ended: EndedItem[];
      /** Per node, what it counted during this batch. */
      nodes: Array<[string, NodeStats]>;
    }
  | { id: number; error: string };
