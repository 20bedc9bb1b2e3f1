import type { Writable } from 'node:stream';
import h from 'highland';
import { acceptsRecords } from './table-output.js';
import { handoff, take, type Handoff } from '../record/handoff.js';
import type { Batch, Item, JsonObject } from '../record/item.js';
import { getPath, setPath, type FieldPath } from '../record/path.js';
import type { RecordTrace } from '../record/trace.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { SideOutput } from './side-output.js';
import type { ResumeJournal } from './resume-journal.js';

export interface SinkTargets {
  output: Writable;
  errors?: SideOutput;
  rejected?: SideOutput;
  stats: RunStats;
  /** Called with each error item; returning true stops the run (--fail-fast). */
  onError?: (line: number, message: string) => void;
  /** Aborted when the output closed early (e.g. `| head`): stop writing, quietly. */
  closed: AbortSignal;
  /** --resume: where output records carry their id (set there when a record lacks it). */
  idPath?: FieldPath;
  /** --provenance: what `_sygra` says about the run. */
  provenance?: { version: string; graphSha256: string | null };
  /** --resume: told about each batch once it is in the files. */
  journal?: ResumeJournal;
  /** A dataset folder as input: the shard and line an input line came from, written as `source`. */
  lineSource?: (line: number) => string | null;
}

/**
 * Pulls batches from the end of the pipeline and writes them: records joined into one
 * write per batch (waiting for `drain`), errors and rejections to their side files.
 * Every item is counted exactly once as out, filtered or error.
 */
export async function drainToSink(stream: Highland.Stream<Batch>, targets: SinkTargets): Promise<void> {
  const { output, stats } = targets;
  // Parquet, CSV and a dataset folder take the records themselves.
  const records: JsonObject[] | null = acceptsRecords(output) ? [] : null;
  for (;;) {
    const pulled = take(await pullBatch(stream));
    if (pulled === null) return;
    const batch = targets.journal ? targets.journal.gather(pulled) : pulled;
    const chunks = new BatchWriter();
    const waits: Array<Promise<void>> = [];
    for (const item of batch) {
      if (item.outcome === undefined) {
        if (item.id !== undefined && targets.idPath) carryId(item, targets.idPath);
        if (item.trace && targets.provenance) {
          item.record._sygra = provenanceOf(item.trace, targets.provenance);
          item.bytes = undefined;
        }
        if (records) {
          records.push(item.record);
          stats.recordsOut++;
          continue;
        }
        try {
          writeRecord(chunks, item);
          stats.recordsOut++;
          continue;
        } catch (err) {
          // A BigInt, a cycle, or nesting deeper than the stack: this record fails, not the run.
          item.outcome = { kind: 'error', node: null, error: `the record cannot be written as JSON: ${(err as Error).message}` };
        }
      }
      const outcome = item.outcome;
      if (outcome.kind === 'filtered') {
        stats.filtered++;
        const w = targets.rejected?.write({ line: item.line, ...sourceOf(targets, item.line), ...idOf(item), node: outcome.node, reason: outcome.reason, record: item.record });
        if (w) waits.push(w);
      } else {
        stats.errors++;
        const w = targets.errors?.write({
          line: item.line,
          ...sourceOf(targets, item.line),
          ...idOf(item),
          node: outcome.node,
          error: outcome.error,
          input: outcome.node === null && item.raw !== undefined ? item.raw : item.record,
        });
        if (w) waits.push(w);
        targets.onError?.(item.line, outcome.error);
      }
    }
    stats.inFlight -= batch.length;
    const data = chunks.finish();
    if (targets.journal) {
      await noteInJournal(targets, targets.journal, batch, data);
      continue;
    }
    if (records && records.length > 0 && !targets.closed.aborted && !output.destroyed && !output.write(records.splice(0))) waits.push(drained(output, targets.closed));
    if (data && !targets.closed.aborted && !output.destroyed && !output.write(data)) waits.push(drained(output, targets.closed));
    if (waits.length > 0) await Promise.all(waits);
  }
}

/**
 * --resume: writes the batch and waits until every file has it, then tells the journal:
 * a journal line never names records whose lines a kill could still take away.
 */
async function noteInJournal(targets: SinkTargets, journal: ResumeJournal, batch: Batch, data: Buffer | null): Promise<void> {
  const { output } = targets;
  const written = data && !output.destroyed ? data : null;
  const landed: Array<Promise<void>> = [];
  if (written) landed.push(new Promise((resolve, reject) => output.write(written, (err) => (err ? reject(err) : resolve()))));
  if (targets.errors) landed.push(targets.errors.flushed());
  if (targets.rejected) landed.push(targets.rejected.flushed());
  try {
    await Promise.all(landed);
  } catch {
    // The runner reports the failed write; nothing after it is noted as finished.
    journal.stopNoting();
    return;
  }
  await journal.afterBatch(batch, written ? written.length : 0);
}

/** `{source: "data/train-00001-of-00003.parquet:12"}` when the input is a dataset folder. */
function sourceOf(targets: SinkTargets, line: number): { source?: string } {
  const source = targets.lineSource?.(line);
  return source ? { source } : {};
}

/**
 * Writes one output record: its input line when no node changed it, that line with the
 * fields nodes added spliced in before its closing brace, or else the record stringified.
 */
export function writeRecord(writer: BatchWriter, item: Item): void {
  const bytes = item.bytes;
  if (!bytes) return writer.text(JSON.stringify(item.record) + '\n');
  if (!item.appended) return writer.bytes(bytes);
  // Kept bytes always end with a newline; step back over white space to the closing brace.
  let close = bytes.length - 2;
  while (close > 0 && bytes[close] !== 0x7d) close--;
  const record = item.record;
  let added = '';
  // No comma before the first added field when the line held none (fields listed may be absent).
  let first = true;
  for (const key in record) {
    if (!item.appended.includes(key)) {
      first = false;
      break;
    }
  }
  for (const field of item.appended) {
    // JSON.stringify leaves out a field whose value JSON cannot hold (undefined, a function); so does this.
    const json = JSON.stringify(record[field]) as string | undefined;
    if (json === undefined) continue;
    added += (first ? '' : ',') + JSON.stringify(field) + ':' + json;
    first = false;
  }
  writer.splice(bytes, close, added + '}\n');
}

/**
 * The `_sygra` provenance of an output record (a stable schema: fields are only added):
 * the graph's hash, the nodes it went through, the models it called, their tokens, how
 * many calls the cache answered, its time in the graph, when it was written, the version.
 */
function provenanceOf(trace: RecordTrace, run: { version: string; graphSha256: string | null }) {
  return {
    graph_sha256: run.graphSha256,
    path: trace.path,
    models: [...trace.models],
    llm_calls: trace.llmCalls,
    tokens: trace.tokens,
    cached: trace.cached,
    latency_ms: Math.round((performance.now() - trace.started) * 10) / 10,
    created_at: new Date().toISOString(),
    version: run.version,
  };
}

/** Puts the --resume id on an output record that lacks one (a graph that sets its own keeps it). */
function carryId(item: Item, idPath: FieldPath): void {
  if (getPath(item.record, idPath) !== undefined) return;
  setPath(item.record, idPath, item.id);
  item.bytes = undefined;
}

function idOf(item: Item): { id?: string } {
  return item.id === undefined ? {} : { id: item.id };
}

/**
 * Collects one batch's output. Unchanged records that sat next to each other in the input
 * become one slice of the input buffer; changed records are encoded as UTF-8 into a scratch
 * buffer, line by line. One buffer, one write per batch.
 */
export class BatchWriter {
  private readonly parts: Buffer[] = [];
  private run: Buffer | null = null;
  /**
   * Where changed lines are encoded, each straight from its string. Not joined first: one
   * line outside Latin-1 (an emoji) makes a joined string two bytes a character, and the
   * whole batch then takes V8's slow path to UTF-8, where each ASCII line alone is a copy.
   * Nor a Buffer per line: allocating, then concatenating, small buffers costs more than the
   * encoding.
   */
  private scratch: Buffer | null = null;
  /** Start of the scratch bytes not yet in parts, and the end of what is written. */
  private from = 0;
  private used = 0;

  bytes(view: Buffer): void {
    this.endScratch();
    const run = this.run;
    if (run && run.buffer === view.buffer && run.byteOffset + run.length === view.byteOffset) {
      this.run = Buffer.from(run.buffer, run.byteOffset, run.length + view.length);
    } else {
      if (run) this.parts.push(run);
      this.run = view;
    }
  }

  text(line: string): void {
    this.endRun();
    this.room(line.length * 3, line);
    this.used += this.scratch!.write(line, this.used);
  }

  /** The first `end` bytes of `view` followed by `text`: an input line with fields spliced in. */
  splice(view: Buffer, end: number, text: string): void {
    this.endRun();
    this.room(end + text.length * 3, text, end);
    const scratch = this.scratch!;
    this.used += view.copy(scratch, this.used, 0, end);
    this.used += scratch.write(text, this.used);
  }

  finish(): Buffer | null {
    this.endScratch();
    this.endRun();
    if (this.parts.length === 0) return null;
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }

  private endRun(): void {
    if (this.run) {
      this.parts.push(this.run);
      this.run = null;
    }
  }

  private endScratch(): void {
    if (this.used > this.from) {
      this.parts.push(this.scratch!.subarray(this.from, this.used));
      this.from = this.used;
    }
  }

  /** Makes sure `upTo` more bytes fit; when they might not, counts `line`'s UTF-8 exactly first. */
  private room(upTo: number, line: string, plus = 0): void {
    const scratch = this.scratch;
    if (scratch && scratch.length - this.used >= upTo) return;
    const need = plus + Buffer.byteLength(line);
    if (scratch && scratch.length - this.used >= need) return;
    this.endScratch();
    // Doubling from 64 KiB: a batch of changed records takes a few allocations, not one per line.
    this.scratch = Buffer.allocUnsafe(Math.max(need, scratch ? Math.min(scratch.length * 2, 1 << 24) : 1 << 16));
    this.from = 0;
    this.used = 0;
  }
}

/** The next batch (null at the end), handed off so that the promise does not keep it. */
/** The next batch of a stream, boxed (see Handoff), or null at its end. */
export function pullBatch(stream: Highland.Stream<Batch>): Promise<Handoff<Batch | null>> {
  return new Promise((resolve, reject) => {
    stream.pull((err, x) => {
      if (err) reject(err);
      else resolve(handoff(h.isNil(x) ? null : x));
    });
  });
}

function drained(output: Writable, closed: AbortSignal): Promise<void> {
  // A stream that failed is closed already: its 'close' will not come again.
  if (output.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      output.off('drain', done);
      output.off('close', done);
      closed.removeEventListener('abort', done);
      resolve();
    };
    output.on('drain', done);
    output.on('close', done);
    closed.addEventListener('abort', done);
  });
}
