import type { RecordTrace } from './trace.js';

/** A JSON object: the only shape a record may have. */
export type JsonObject = { [key: string]: unknown };

/** Why a record left the stream before the end of the graph. */
export type Outcome = { kind: 'filtered'; node: string; reason: string } | { kind: 'error'; node: string | null; error: string };

/**
 * What moves between stages. `seq` is the input order, `line` the input line number (for
 * error reports). `route` names the next node to run; `null` means the record is done.
 * An item with an `outcome` is terminal: later stages pass it through untouched.
 */
export interface Item {
  seq: number;
  line: number;
  record: JsonObject;
  route: string | null;
  outcome?: Outcome;
  /**
   * The input line's bytes (newline included), kept while no node has changed the record:
   * an unchanged record is written back byte for byte instead of being stringified again.
   */
  bytes?: Buffer;
  /** Top-level fields added to the record since `bytes` were read: written after those bytes. */
  appended?: readonly string[];
  /** The raw input line, for a line that failed before becoming a record. */
  raw?: string;
  /** With --threads: the input line's bytes (no line end), parsed by a worker thread instead of here. */
  unparsed?: Buffer;
  /** The record's id for --resume (its id field, else a hash of its line); written with it. */
  id?: string;
  /** --resume: the input record this item came from, shared by every item it became. */
  resume?: ResumeEntry;
  /** --provenance: where the record went and what its model calls cost. */
  trace?: RecordTrace;
  /** Per-record loop counters (node name → passes), used by bounded loops. */
  loops?: Record<string, number>;
}

/**
 * --resume: one input record in the journal's terms. Fan-out shares it between the items a
 * record became; the record is finished once the sink has written all of them.
 */
export interface ResumeEntry {
  /** Its key: a 64-bit hash of its id and its occurrence number among records with that id. */
  readonly hi: number;
  readonly lo: number;
  /** Items it became that have not yet reached the sink. */
  left: number;
  /** Items that reached the sink before their siblings: written all together, once the last comes. */
  held?: Item[];
  /** One of them went to the output or was filtered. */
  kept: boolean;
  /** One of them was written to --errors. */
  failed: boolean;
}

/** Stages receive and emit arrays of items, so nothing costs a stream event per record. */
export type Batch = Item[];

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
