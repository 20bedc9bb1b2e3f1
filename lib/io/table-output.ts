import { unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { AtomicFile } from './atomic-file.js';
import { replace, writeTarget, type WriteTarget } from './write-target.js';

/** Rows gathered before the columns are fixed (and, for Parquet, written as a row group). */
const GROUP_ROWS = 10_000;

type Row = Record<string, unknown>;

/**
 * The output as CSV, TSV or Parquet instead of NDJSON: a Writable taking the engine's
 * NDJSON bytes. Columns are the keys of the first 10,000 records, in order of first sight;
 * a later record with a key outside them fails the run loudly rather than losing the
 * value. Nested values (objects, lists) are written as JSON text.
 */
export abstract class TableOutput extends Writable {
  protected columns: string[] | null = null;
  private begun = false;
  private rows: Row[] = [];
  private carry = '';
  private count = 0;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = this.carry + chunk.toString('utf8');
    const lines = text.split('\n');
    this.carry = lines.pop() ?? '';
    try {
      for (const line of lines) if (line !== '') this.add(JSON.parse(line) as Row);
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

export class ParquetOutput extends TableOutput {
  private writer: ParquetWriterT | null = null;
  private types: Record<string, 'DOUBLE' | 'BOOLEAN' | 'STRING'> = {};
  private readonly target: WriteTarget;
  /** Where the writer writes: the temporary file, or the device itself. */
  private readonly temp: string;

  constructor(readonly path: string) {
    super();
    this.target = writeTarget(path);
    this.temp = this.target.kind === 'replace' ? this.target.temp : this.target.path;
  }

  /** A column is DOUBLE when the first group holds only numbers there, BOOLEAN for only booleans, else text (JSON for non-strings). */
  protected async begin(columns: string[], firstRows: Row[]): Promise<void> {
    for (const c of columns) {
      const values = firstRows.map((r) => r[c]).filter((v) => v !== undefined && v !== null);
      this.types[c] = values.length > 0 && values.every((v) => typeof v === 'number') ? 'DOUBLE' : values.length > 0 && values.every((v) => typeof v === 'boolean') ? 'BOOLEAN' : 'STRING';
    }
    const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
    const schema = schemaFromColumnData({ columnData: columns.map((name) => ({ name, data: [], type: this.types[name]!, nullable: true })) });
    this.writer = new ParquetWriter({ writer: fileWriter(this.temp), schema });
  }

  protected async writeRows(rows: Row[]): Promise<void> {
    const columnData = this.columns!.map((name) => {
      const type = this.types[name]!;
      const data = rows.map((r, i) => {
        const v = r[name];
        if (v === undefined || v === null) return null;
        if (type === 'STRING') return typeof v === 'string' ? v : JSON.stringify(v);
        if ((type === 'DOUBLE' && typeof v !== 'number') || (type === 'BOOLEAN' && typeof v !== 'boolean')) {
          throw new Error(
            `output field "${name}" held ${type === 'DOUBLE' ? 'numbers' : 'booleans'} in the first records, but ${JSON.stringify(v).slice(0, 40)} at a later one (row ${i + 1} of its group)`,
          );
        }
        return v;
      });
      return { name, data, type, nullable: true };
    });
    this.writer!.write({ columnData, rowGroupSize: rows.length });
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
