import { mismatch, type Shape, toColumnValue, unknownField } from './parquet-schema.js';

type Row = Record<string, unknown>;

/**
 * One leaf column of a row group, shredded as Parquet stores it (Dremel): a slot per value,
 * each with its definition level (how many of the optional and repeated fields above it
 * are there) and, under a list, its repetition level (which list a new element begins),
 * and the values in typed arrays that another thread can take without a copy (text as
 * UTF-8 bytes end to end, with each slot's end in them). A slot has a value only when its
 * definition level is the column's highest.
 */
export type LeafColumn = {
  slots: number;
  maxDef: number;
  /** 0 for a column under no list: its repetition levels are then empty. */
  maxRep: number;
  defs: Uint8Array;
  reps: Uint8Array;
} & ({ kind: 'text'; bytes: Uint8Array; ends: Int32Array } | { kind: 'number'; values: Float64Array } | { kind: 'bool'; values: Uint8Array });

/** A row group: its leaf columns in the schema's order (see parquetSchema). */
export interface ShreddedGroup {
  rows: number;
  leaves: LeafColumn[];
}

/** Writes a file's shredded row groups: on this thread (parquetEncoderHere) or on a worker thread. */
export interface GroupEncoder {
  /** Hands a group over; resolves once the group before it is written, so at most one waits. */
  write(group: ShreddedGroup): Promise<void>;
  /** Writes the file's footer and closes it. */
  finish(): Promise<void>;
  /** Stops and closes the file, which the caller removes. */
  abort(): Promise<void>;
}

/** Starts a GroupEncoder for a file (its temporary path) of the given columns. */
export type GroupEncoderFactory = (file: { path: string; shapes: Map<string, Shape> }) => GroupEncoder;

type Kind = LeafColumn['kind'];

/** A leaf column being gathered; take() hands its arrays over and starts new ones. */
class LeafBuilder {
  private slots = 0;
  private capacity = 1024;
  private used = 0;
  private defs = new Uint8Array(this.capacity);
  private reps: Uint8Array;
  private ends = new Int32Array(0);
  private values: Float64Array | Uint8Array = new Uint8Array(0);
  private bytes: Buffer;
  /** Bytes of text the previous group held: the next starts that large. */
  private textBytes = 1 << 16;

  constructor(
    readonly kind: Kind,
    private readonly maxDef: number,
    private readonly maxRep: number,
  ) {
    this.reps = new Uint8Array(maxRep > 0 ? this.capacity : 0);
    this.bytes = Buffer.allocUnsafeSlow(kind === 'text' ? this.textBytes : 0);
    this.fresh();
  }

  /** A slot with no value: something at `def` levels down is null, absent or empty. */
  none(def: number, rep: number): void {
    const at = this.next(def, rep);
    if (this.kind === 'text') this.ends[at] = this.used;
  }

  text(text: string, rep: number): void {
    const at = this.next(this.maxDef, rep);
    if (this.bytes.length - this.used < text.length * 3) this.growBytes(this.used + Buffer.byteLength(text));
    this.used += this.bytes.write(text, this.used);
    this.ends[at] = this.used;
  }

  value(value: number, rep: number): void {
    const at = this.next(this.maxDef, rep);
    this.values[at] = value;
  }

  take(): LeafColumn {
    const n = this.slots;
    const levels = { slots: n, maxDef: this.maxDef, maxRep: this.maxRep, defs: this.defs.subarray(0, n), reps: this.reps.subarray(0, this.maxRep > 0 ? n : 0) };
    let leaf: LeafColumn;
    if (this.kind === 'text') {
      leaf = { ...levels, kind: 'text', bytes: this.bytes.subarray(0, this.used), ends: this.ends.subarray(0, n) };
      this.textBytes = Math.max(1 << 16, this.used + (this.used >> 3));
      this.bytes = Buffer.allocUnsafeSlow(this.textBytes);
    } else if (this.kind === 'number') leaf = { ...levels, kind: 'number', values: (this.values as Float64Array).subarray(0, n) };
    else leaf = { ...levels, kind: 'bool', values: (this.values as Uint8Array).subarray(0, n) };
    this.slots = 0;
    this.used = 0;
    this.defs = new Uint8Array(this.capacity);
    this.reps = new Uint8Array(this.maxRep > 0 ? this.capacity : 0);
    this.fresh();
    return leaf;
  }

  private fresh(): void {
    if (this.kind === 'text') this.ends = new Int32Array(this.capacity);
    else this.values = this.kind === 'number' ? new Float64Array(this.capacity) : new Uint8Array(this.capacity);
  }

  private next(def: number, rep: number): number {
    if (this.slots === this.capacity) this.grow();
    const at = this.slots++;
    this.defs[at] = def;
    if (this.maxRep > 0) this.reps[at] = rep;
    return at;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const copy = <T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T => (to.set(from), to);
    this.defs = copy(this.defs, new Uint8Array(capacity));
    if (this.maxRep > 0) this.reps = copy(this.reps, new Uint8Array(capacity));
    if (this.kind === 'text') this.ends = copy(this.ends, new Int32Array(capacity));
    else if (this.kind === 'number') this.values = copy(this.values as Float64Array, new Float64Array(capacity));
    else this.values = copy(this.values as Uint8Array, new Uint8Array(capacity));
    this.capacity = capacity;
  }

  private growBytes(need: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(need, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }
}

/** Shreds one value (of a column, a field or a list element) into the leaves under it, given the levels reached above it. */
type Shredder = (value: unknown, def: number, rep: number) => void;

/**
 * A row group's columns, shredded as rows come, each value checked as toColumnValue checks
 * it (the same errors, naming the field). The levels are those of parquetSchema's schema:
 * every field optional, lists in three levels (an optional LIST, its repeated `list`, its
 * `element`).
 */
export class ShreddedGroupBuilder {
  private rows = 0;
  private readonly leaves: LeafBuilder[] = [];
  private readonly columns: Array<{ name: string; shred: Shredder }>;

  constructor(shapes: Map<string, Shape>) {
    this.columns = [...shapes].map(([name, shape]) => ({ name, shred: this.compile(shape, name, 0, 0) }));
  }

  append(rows: readonly Row[]): void {
    for (const { name, shred } of this.columns) for (const row of rows) shred(row[name], 0, 0);
    this.rows += rows.length;
  }

  /** The group gathered so far; the builder starts a new one. */
  take(): ShreddedGroup {
    const group = { rows: this.rows, leaves: this.leaves.map((leaf) => leaf.take()) };
    this.rows = 0;
    return group;
  }

  /** `def` counts the optional and repeated fields above, `rep` the lists above. */
  private compile(shape: Shape, path: string, def: number, rep: number): Shredder {
    if (shape.kind === 'struct') {
      const fields = [...shape.fields].map(([key, s]) => ({ key, shred: this.compile(s, `${path}.${key}`, def + 1, rep) }));
      return (value, d, r) => {
        if (value === null || value === undefined) {
          for (const field of fields) field.shred(null, d, r);
          return;
        }
        if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(path, 'objects', value);
        const object = value as Row;
        for (const key of Object.keys(object)) if (!shape.fields.has(key)) throw unknownField(`${path}.${key}`);
        for (const field of fields) field.shred(object[field.key], d + 1, r);
      };
    }
    if (shape.kind === 'list') {
      // The LIST field, then its repeated group: an element is two levels down, and begins
      // a new entry of this list (repetition level rep + 1) unless it is the first.
      const element = this.compile(shape.element, `${path}[]`, def + 2, rep + 1);
      const level = rep + 1;
      return (value, d, r) => {
        if (value === null || value === undefined) return element(null, d, r);
        if (!Array.isArray(value)) throw mismatch(path, 'lists', value);
        if (value.length === 0) return element(null, d + 1, r);
        element(value[0], d + 2, r);
        for (let i = 1; i < value.length; i++) element(value[i], d + 2, level);
      };
    }
    const kind: Kind = shape.kind === 'float64' ? 'number' : shape.kind === 'bool' ? 'bool' : 'text';
    const leaf = new LeafBuilder(kind, def + 1, rep);
    this.leaves.push(leaf);
    if (kind === 'text')
      return (value, d, r) => {
        if (value === null || value === undefined) leaf.none(d, r);
        else leaf.text(toColumnValue(value, shape, path) as string, r);
      };
    if (kind === 'number')
      return (value, d, r) => {
        if (value === null || value === undefined) leaf.none(d, r);
        else leaf.value(toColumnValue(value, shape, path) as number, r);
      };
    return (value, d, r) => {
      if (value === null || value === undefined) leaf.none(d, r);
      else leaf.value(toColumnValue(value, shape, path) ? 1 : 0, r);
    };
  }
}

/** The ArrayBuffers of a group, to hand over to another thread. */
export function transferablesOf(group: ShreddedGroup): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const leaf of group.leaves) {
    buffers.add(leaf.defs.buffer as ArrayBuffer);
    buffers.add(leaf.reps.buffer as ArrayBuffer);
    buffers.add((leaf.kind === 'text' ? leaf.bytes : leaf.values).buffer as ArrayBuffer);
    if (leaf.kind === 'text') buffers.add(leaf.ends.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** A leaf's slots as the Parquet writer's page data takes them: text as byte views, null where a slot has no value. */
export function slotValuesOf(leaf: LeafColumn): unknown[] {
  const out = new Array<unknown>(leaf.slots);
  const { defs, maxDef } = leaf;
  if (leaf.kind === 'text') {
    let start = 0;
    for (let i = 0; i < leaf.slots; i++) {
      const end = leaf.ends[i]!;
      out[i] = defs[i] === maxDef ? leaf.bytes.subarray(start, end) : null;
      start = end;
    }
  } else if (leaf.kind === 'number') for (let i = 0; i < leaf.slots; i++) out[i] = defs[i] === maxDef ? leaf.values[i] : null;
  else for (let i = 0; i < leaf.slots; i++) out[i] = defs[i] === maxDef ? leaf.values[i] === 1 : null;
  return out;
}
