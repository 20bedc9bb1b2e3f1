import { unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { AtomicFile } from './atomic-file.js';
import { Utf8Arena } from './utf8-arena.js';
import { huggingFaceFeatures, PARQUET_ROUND_TRIP_KEY, parquetSchema, roundTripOf, shapeOfRows, toColumnValue, type Shape } from './parquet-schema.js';
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
  private rows: Row[] = [];
  private carry = '';
  private count = 0;

  constructor() {
    super({ objectMode: true });
  }

  /** A batch of records (from the sink), or NDJSON bytes. */
  override _write(chunk: Buffer | string | Row[], _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      if (Array.isArray(chunk)) for (const row of chunk) this.add(row);
      else {
        const lines = (this.carry + chunk.toString()).split('\n');
        this.carry = lines.pop() ?? '';
        for (const line of lines) if (line !== '') this.add(JSON.parse(line) as Row);
      }
      if (this.rows.length >= GROUP_ROWS) this.flushRows().then(() => done(), done);
      else done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    try {
      if (this.carry.trim() !== '') this.add(JSON.parse(this.carry) as Row);
    } catch (err) {
      return done(err as Error);
    }
    this.flushRows()
      .then(() => this.close())
      .then(() => done(), done);
  }

  private add(row: Row): void {
    this.count++;
    if (this.columns) {
      for (const key of Object.keys(row)) {
        if (!this.columns.includes(key))
          throw new Error(
            `output record ${this.count} has a field "${key}" that the first ${GROUP_ROWS} records did not have; columns are fixed by then (write NDJSON, or give every record the field)`,
          );
      }
    }
    this.rows.push(row);
    if (!this.columns && this.count === GROUP_ROWS) this.fixColumns();
  }

  private fixColumns(): void {
    const seen = new Set<string>();
    for (const r of this.rows) for (const k of Object.keys(r)) seen.add(k);
    this.columns = [...seen];
  }

  private async flushRows(): Promise<void> {
    if (!this.columns) this.fixColumns();
    if (!this.begun) {
      this.begun = true;
      await this.begin(this.columns!, this.rows);
    }
    const rows = this.rows;
    this.rows = [];
    if (rows.length > 0) await this.writeRows(rows);
  }

  /** Called once, with the first group of rows, when the columns are known. */
  protected abstract begin(columns: string[], firstRows: Row[]): Promise<void>;
  protected abstract writeRows(rows: Row[]): Promise<void>;
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

  protected async begin(columns: string[]): Promise<void> {
    await this.put(columns);
  }

  protected async writeRows(rows: Row[]): Promise<void> {
    const columns = this.columns!;
    const { stringify } = await import('csv-stringify/sync');
    const text = stringify(
      rows.map((r) => columns.map((c) => cellText(r[c]))),
      { delimiter: this.delimiter },
    );
    if (!this.file.stream.write(text)) await new Promise<void>((ok) => this.file.stream.once('drain', () => ok()));
  }

  protected async close(): Promise<void> {
    if (!this.columns) await this.put([]);
  }

  private async put(header: string[]): Promise<void> {
    const { stringify } = await import('csv-stringify/sync');
    this.file.stream.write(stringify([header], { delimiter: this.delimiter }));
  }
}

type ParquetWriterT = InstanceType<typeof import('hyparquet-writer').ParquetWriter>;

/**
 * Parquet with real types: numbers (DOUBLE), booleans and strings as such, objects as structs and
 * arrays as lists (so `messages` is a list of {role, content} structs that `datasets`,
 * DuckDB and Arrow read as such), with the `huggingface` features in the file's metadata
 * and what our reader needs to give the records back exactly (see parquet-schema.ts).
 */
export class ParquetOutput extends TableOutput {
  private writer: ParquetWriterT | null = null;
  private shapes = new Map<string, Shape>();
  private readonly arena = new Utf8Arena();
  private readonly target: WriteTarget;
  /** Where the writer writes: the temporary file, or the device itself. */
  private readonly temp: string;

  constructor(
    readonly path: string,
    /** The shapes of an earlier shard of the same dataset: every shard has one schema. */
    private readonly fixedShapes: Map<string, Shape> | null = null,
  ) {
    super();
    this.target = writeTarget(path);
    this.temp = this.target.kind === 'replace' ? this.target.temp : this.target.path;
    if (fixedShapes) this.columns = [...fixedShapes.keys()];
  }

  /** The columns' shapes (fixed by the first group of rows), once known. */
  get schema(): Map<string, Shape> | null {
    return this.writer ? this.shapes : null;
  }

  /** The columns' shapes come from the first group of rows. */
  protected async begin(columns: string[], firstRows: Row[]): Promise<void> {
    this.shapes = this.fixedShapes ?? shapeOfRows(firstRows, columns);
    const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
    // hysnappy: Snappy in WebAssembly, from hyparquet's authors; the JS compressor took 40% of a write.
    const { snappyCompress } = await import('hysnappy');
    this.writer = new ParquetWriter({
      writer: fileWriter(this.temp),
      compressors: { SNAPPY: snappyCompress },
      schema: parquetSchema(this.shapes),
      kvMetadata: [
        { key: 'huggingface', value: JSON.stringify({ info: { features: huggingFaceFeatures(this.shapes) } }) },
        { key: PARQUET_ROUND_TRIP_KEY, value: JSON.stringify(roundTripOf(this.shapes)) },
      ],
      createdBy: 'sygra-stream',
    });
  }

  protected async writeRows(rows: Row[]): Promise<void> {
    // Statistics (min and max) help readers skip row groups by number; on text and nested
    // columns they cost a fifth of the write and serve no such filter.
    const utf8 = (text: string): Uint8Array => this.arena.encode(text);
    const columnData = [...this.shapes].map(([name, shape]) => ({
      name,
      data: rows.map((r) => toColumnValue(r[name], shape, name, utf8)),
      statistics: shape.kind === 'float64' || shape.kind === 'bool',
    }));
    this.writer!.write({ columnData, rowGroupSize: rows.length });
    this.arena.reset();
  }

  protected async close(): Promise<void> {
    if (!this.writer) {
      const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
      this.writer = new ParquetWriter({ writer: fileWriter(this.temp), schema: [{ name: 'root', num_children: 0 }] });
    }
    this.writer.finish();
    if (this.target.kind === 'replace') await replace(this.target);
  }

  async abort(): Promise<void> {
    if (this.target.kind === 'replace') await unlink(this.temp).catch(() => undefined);
  }
}
