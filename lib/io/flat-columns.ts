import { type Shape, toColumnValue } from './parquet-schema.js';

type Row = Record<string, unknown>;

/**
 * One column of a row group of scalars, in typed arrays that another thread can take
 * without a copy: text as UTF-8 bytes end to end with each row's end offset, numbers and
 * booleans as such, and a null flag per row.
 */
export type FlatColumn =
  | { kind: 'text'; bytes: Uint8Array; ends: Int32Array; nulls: Uint8Array }
  | { kind: 'number'; values: Float64Array; nulls: Uint8Array }
  | { kind: 'bool'; values: Uint8Array; nulls: Uint8Array };

export interface FlatGroup {
  rows: number;
  columns: FlatColumn[];
}

/** Writes a file's row groups of scalars, elsewhere (a worker thread). */
export interface FlatGroupEncoder {
  /** Hands a group over; resolves once the group before it is written, so at most one waits. */
  write(group: FlatGroup): Promise<void>;
  /** Writes the file's footer and closes it. */
  finish(): Promise<void>;
  /** Stops and closes the file, which the caller removes. */
  abort(): Promise<void>;
}

/** Starts a FlatGroupEncoder for a file (its temporary path) of the given columns. */
export type FlatGroupEncoderFactory = (file: { path: string; shapes: Map<string, Shape> }) => FlatGroupEncoder;

/** Whether every column holds scalars (text, numbers, booleans, or JSON text): no structs or lists. */
export function isFlat(shapes: Map<string, Shape>): boolean {
  for (const shape of shapes.values()) if (shape.kind === 'struct' || shape.kind === 'list') return false;
  return true;
}

const TEXT_MARK = new Uint8Array(0);

/** A row group's columns, gathered as rows come, checked as toColumnValue checks them. */
export class FlatGroupBuilder {
  private rows = 0;
  private capacity = 1024;
  private columns: FlatColumn[];
  /** Bytes of text per column kept by the previous group: the next starts that large. */
  private textBytes: number[];

  constructor(private readonly shapes: Map<string, Shape>) {
    this.textBytes = [...shapes.values()].map(() => 1 << 20);
    this.columns = this.fresh();
  }

  append(rows: readonly Row[]): void {
    if (this.rows + rows.length > this.capacity) this.grow(this.rows + rows.length);
    let c = 0;
    for (const [name, shape] of this.shapes) {
      const column = this.columns[c]!;
      let at = this.rows;
      if (column.kind === 'text') {
        let used = at === 0 ? 0 : column.ends[at - 1]!;
        const utf8 = (text: string): Uint8Array => {
          if (column.bytes.length - used < text.length * 3) column.bytes = grownBytes(column.bytes, used, used + Buffer.byteLength(text));
          used += (column.bytes as Buffer).write(text, used);
          return TEXT_MARK;
        };
        for (const row of rows) {
          if (toColumnValue(row[name], shape, name, utf8) === null) column.nulls[at] = 1;
          column.ends[at++] = used;
        }
      } else if (column.kind === 'number') {
        for (const row of rows) {
          const value = toColumnValue(row[name], shape, name) as number | null;
          if (value === null) column.nulls[at++] = 1;
          else column.values[at++] = value;
        }
      } else {
        for (const row of rows) {
          const value = toColumnValue(row[name], shape, name) as boolean | null;
          if (value === null) column.nulls[at++] = 1;
          else column.values[at++] = value ? 1 : 0;
        }
      }
      c++;
    }
    this.rows += rows.length;
  }

  /** The group gathered so far, its arrays cut to its rows; the builder starts a new one. */
  take(): FlatGroup {
    const n = this.rows;
    const columns = this.columns.map((column, c): FlatColumn => {
      if (column.kind === 'text') {
        const used = n === 0 ? 0 : column.ends[n - 1]!;
        this.textBytes[c] = Math.max(1 << 16, used + (used >> 3));
        return { kind: 'text', bytes: column.bytes.subarray(0, used), ends: column.ends.subarray(0, n), nulls: column.nulls.subarray(0, n) };
      }
      return { ...column, values: column.values.subarray(0, n), nulls: column.nulls.subarray(0, n) } as FlatColumn;
    });
    this.rows = 0;
    this.columns = this.fresh();
    return { rows: n, columns };
  }

  private fresh(): FlatColumn[] {
    const n = this.capacity;
    return [...this.shapes.values()].map((shape, c): FlatColumn => {
      const nulls = new Uint8Array(n);
      if (shape.kind === 'float64') return { kind: 'number', values: new Float64Array(n), nulls };
      if (shape.kind === 'bool') return { kind: 'bool', values: new Uint8Array(n), nulls };
      return { kind: 'text', bytes: Buffer.allocUnsafeSlow(this.textBytes[c]!), ends: new Int32Array(n), nulls };
    });
  }

  private grow(rows: number): void {
    let capacity = this.capacity;
    while (capacity < rows) capacity *= 2;
    this.capacity = capacity;
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity);
      to.set(from);
      return to;
    };
    for (const column of this.columns) {
      column.nulls = copy(column.nulls, (n) => new Uint8Array(n));
      if (column.kind === 'text') column.ends = copy(column.ends, (n) => new Int32Array(n));
      else if (column.kind === 'number') column.values = copy(column.values, (n) => new Float64Array(n));
      else column.values = copy(column.values, (n) => new Uint8Array(n));
    }
  }
}

function grownBytes(bytes: Uint8Array, used: number, need: number): Buffer {
  const bigger = Buffer.allocUnsafeSlow(Math.max(need, bytes.length * 2));
  bigger.set(bytes.subarray(0, used));
  return bigger;
}

/** The ArrayBuffers of a group, to hand over to another thread. */
export function transferablesOf(group: FlatGroup): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of group.columns) {
    buffers.add(column.nulls.buffer as ArrayBuffer);
    buffers.add((column.kind === 'text' ? column.bytes : column.values).buffer as ArrayBuffer);
    if (column.kind === 'text') buffers.add(column.ends.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** A group's columns as the Parquet writer takes them: text as byte views, null where the row has none. */
export function columnValuesOf(group: FlatGroup): unknown[][] {
  return group.columns.map((column) => {
    const out = new Array<unknown>(group.rows);
    const { nulls } = column;
    if (column.kind === 'text') {
      let start = 0;
      for (let i = 0; i < group.rows; i++) {
        const end = column.ends[i]!;
        out[i] = nulls[i] ? null : column.bytes.subarray(start, end);
        start = end;
      }
    } else if (column.kind === 'number') for (let i = 0; i < group.rows; i++) out[i] = nulls[i] ? null : column.values[i];
    else for (let i = 0; i < group.rows; i++) out[i] = nulls[i] ? null : column.values[i] === 1;
    return out;
  });
}
