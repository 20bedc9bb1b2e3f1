import { unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { AtomicFile } from './atomic-file.js';
import { type GroupEncoder, type GroupEncoderFactory, ShreddedGroupBuilder } from './column-shredding.js';
import { parquetEncoderHere } from './parquet-file.js';
import { shapeOfRows, type Shape } from './parquet-schema.js';
import { replace, writeTarget, type WriteTarget } from './write-target.js';

/**
 * An output that takes batches of records (arrays of objects) from the sink instead of
 * NDJSON bytes: a table format would only parse the bytes back into the same objects.
 */
export interface RecordsWritable {
  readonly acceptsRecords: true;
}

export function acceptsRecords(stream: object): stream is RecordsWritable {
  return (stream as Partial<RecordsWritable>).acceptsRecords === true;
}

/** Rows gathered before the columns are fixed (and, for Parquet, written as a row group). */
export const GROUP_ROWS = 10_000;

type Row = Record<string, unknown>;

/**
 * The output as CSV, TSV or Parquet instead of NDJSON: a Writable taking batches of
 * records from the sink (or NDJSON bytes). Columns are the keys of the first 10,000
 * records, in order of first sight; a later record with a key outside them fails the run
 * loudly rather than losing the value. CSV writes nested values as JSON text; Parquet
 * keeps them as structs and lists.
 */
export abstract class TableOutput extends Writable implements RecordsWritable {
  /** The run's sink hands over records, not NDJSON: they were objects already. */
  readonly acceptsRecords = true;
  protected columns: string[] | null = null;
  private begun = false;
  /** The first group's rows, held until they fix the columns; after that rows go straight to `appendRows`. */
  private firstRows: Row[] = [];
  /** Rows appended since the last group was written. */
  private pending = 0;
  private carry = '';
  private count = 0;

  constructor() {
    super({ objectMode: true });
  }

  /** A batch of records (from the sink), or NDJSON bytes. */
  override _write(chunk: Buffer | string | Row[], _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      let rows: Row[];
      if (Array.isArray(chunk)) rows = chunk;
      else {
        const lines = (this.carry + chunk.toString()).split('\n');
        this.carry = lines.pop() ?? '';
        rows = [];
        for (const line of lines) if (line !== '') rows.push(JSON.parse(line) as Row);
      }
      this.take(rows).then(() => done(), done);
    } catch (err) {
      done(err as Error);
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    let last: Row[] = [];
    try {
      if (this.carry.trim() !== '') last = [JSON.parse(this.carry) as Row];
    } catch (err) {
      return done(err as Error);
    }
    this.take(last)
      .then(() => this.beginOnce())
      .then(() => (this.pending > 0 ? this.writeGroup() : undefined))
      .then(() => this.close())
      .then(() => done(), done);
  }

  private async take(batch: Row[]): Promise<void> {
    let rows = batch;
    if (!this.begun) {
      let at = 0;
      while (at < rows.length && this.firstRows.length < GROUP_ROWS) {
        const row = rows[at++]!;
        this.check(row);
        this.firstRows.push(row);
      }
      if (this.firstRows.length < GROUP_ROWS) return;
      // The columns are fixed now: the rest of the batch is checked against them.
      await this.beginOnce();
      rows = at === 0 ? rows : rows.slice(at);
    }
    if (rows.length > 0) {
      for (const row of rows) this.check(row);
      // Encoded on arrival: a record held until its group is written would outlive the
      // young generation and be copied by every collection until then.
      await this.appendRows(rows);
      this.pending += rows.length;
    }
    if (this.pending >= GROUP_ROWS) await this.writeGroup();
  }

  private check(row: Row): void {
    this.count++;
    if (!this.columns) return;
    for (const key of Object.keys(row)) {
      if (!this.columns.includes(key))
        throw new Error(`output record ${this.count} has a field "${key}" that the first ${GROUP_ROWS} records did not have; columns are fixed by then (write NDJSON, or give every record the field)`);
    }
  }

  /** Fixes the columns from the rows held so far, begins the output and appends those rows. */
  private async beginOnce(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    const rows = this.firstRows;
    this.firstRows = [];
    if (!this.columns) {
      const seen = new Set<string>();
      for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
      this.columns = [...seen];
    }
    await this.begin(this.columns, rows);
    if (rows.length > 0) {
      await this.appendRows(rows);
      this.pending += rows.length;
    }
  }

  private async writeGroup(): Promise<void> {
    this.pending = 0;
    await this.endGroup();
  }

  /** Called once, with the first group of rows, when the columns are known. */
  protected abstract begin(columns: string[], firstRows: Row[]): Promise<void>;
  /** Rows of the current group, in order; the columns are fixed. */
  protected abstract appendRows(rows: Row[]): Promise<void> | void;
  /** The current group is complete (about GROUP_ROWS rows, fewer at the end): write it. */
  protected abstract endGroup(): Promise<void>;
  protected abstract close(): Promise<void>;
}

/** A cell's text: strings as they are, other values as JSON, missing as empty. */
function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class CsvOutput extends TableOutput {
  constructor(
    private readonly file: AtomicFile,
    private readonly delimiter: ',' | '\t',
  ) {
    super();
  }

  private stringify: typeof import('csv-stringify/sync').stringify | null = null;

  protected async begin(columns: string[]): Promise<void> {
    this.stringify = (await import('csv-stringify/sync')).stringify;
    this.file.stream.write(this.stringify([columns], { delimiter: this.delimiter }));
  }

  protected async appendRows(rows: Row[]): Promise<void> {
    const columns = this.columns!;
    const text = this.stringify!(
      rows.map((r) => columns.map((c) => cellText(r[c]))),
      { delimiter: this.delimiter },
    );
    if (!this.file.stream.write(text)) await new Promise<void>((ok) => this.file.stream.once('drain', () => ok()));
  }

  /** CSV has no groups: rows were written as they came. */
  protected async endGroup(): Promise<void> {}

  protected async close(): Promise<void> {}
}

/**
 * Parquet with real types: numbers (DOUBLE), booleans and strings as such, objects as structs and
 * arrays as lists (so `messages` is a list of {role, content} structs that `datasets`,
 * DuckDB and Arrow read as such), with the `huggingface` features in the file's metadata
 * and what our reader needs to give the records back exactly (see parquet-schema.ts).
 * Rows are shredded into typed arrays of levels and values as they come (column-shredding.ts);
 * each row group is encoded on this thread, or, given `threads` and a file larger than one
 * row group, on another thread while this one reads and runs on.
 */
export class ParquetOutput extends TableOutput {
  private shredded: { builder: ShreddedGroupBuilder; encoder: GroupEncoder } | null = null;
  private shapes = new Map<string, Shape>();
  private readonly target: WriteTarget;
  /** Where the writer writes: the temporary file, or the device itself. */
  private readonly temp: string;

  constructor(
    readonly path: string,
    /** The shapes of an earlier shard of the same dataset: every shard has one schema. */
    private readonly fixedShapes: Map<string, Shape> | null = null,
    private readonly threads: GroupEncoderFactory | null = null,
  ) {
    super();
    this.target = writeTarget(path);
    this.temp = this.target.kind === 'replace' ? this.target.temp : this.target.path;
    if (fixedShapes) this.columns = [...fixedShapes.keys()];
  }

  /** The columns' shapes (fixed by the first group of rows), once known. */
  get schema(): Map<string, Shape> | null {
    return this.shredded ? this.shapes : null;
  }

  /** The columns' shapes come from the first group of rows. */
  protected async begin(columns: string[], firstRows: Row[]): Promise<void> {
    this.shapes = this.fixedShapes ?? shapeOfRows(firstRows, columns);
    const file = { path: this.temp, shapes: this.shapes };
    // A whole first group: more rows may follow, worth a thread (a smaller file is done here).
    const encoder = this.threads && firstRows.length >= GROUP_ROWS ? this.threads(file) : await parquetEncoderHere(file);
    this.shredded = { builder: new ShreddedGroupBuilder(this.shapes), encoder };
  }

  protected appendRows(rows: Row[]): void {
    this.shredded!.builder.append(rows);
  }

  protected endGroup(): Promise<void> {
    const { builder, encoder } = this.shredded!;
    return encoder.write(builder.take());
  }

  protected async close(): Promise<void> {
    // begin() has opened the file, with no columns when there were no rows.
    await this.shredded!.encoder.finish();
    if (this.target.kind === 'replace') await replace(this.target);
  }

  async abort(): Promise<void> {
    await this.shredded?.encoder.abort().catch(() => undefined);
    if (this.target.kind === 'replace') await unlink(this.temp).catch(() => undefined);
  }

  /** A stream that failed stops its thread at once: a thread left running would keep the process alive. */
  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const encoder = this.shredded?.encoder;
    if (!err || !encoder) return done(err);
    encoder.abort().then(
      () => done(err),
      () => done(err),
    );
  }
}
