import type { AsyncBuffer, ColumnChunk, Compressors, FileMetaData, SchemaTree } from 'hyparquet';
import type { RoundTrip } from './parquet-read.js';

/** Where the JSON of a row goes (JsonLines in parquet-ndjson.ts). */
export interface JsonSink {
  /** A JSON string from a text value's UTF-8 bytes. */
  utf8(bytes: Uint8Array): void;
  /** JSON text, as it is. */
  text(json: string): void;
  /** Bytes of JSON, as they are. */
  raw(bytes: Uint8Array): void;
  byte(b: number): void;
}

type LeafType = 'text' | 'number' | 'bool' | 'bigint';

/**
 * A schema node compiled for assembly. `def` is the definition level a value of the node
 * reaches when it is there (not null); `leaves` are the leaf columns under it (a leaf is
 * its own), `first` the one whose levels say whether the node is there.
 */
type Node = { optional: boolean; def: number; leaves: number[]; first: number /** A null here means the field was absent (RoundTrip.absent). */; absent: boolean } & (
  | { kind: 'struct'; fields: Array<{ key: Uint8Array; node: Node }> }
  | { kind: 'list'; element: Node; rep: number }
  | { kind: 'leaf'; type: LeafType /** The file holds JSON text here (RoundTrip.json). */; json: boolean }
);

/** One leaf column of the row group: its levels and values, and where assembly has got to. */
interface LeafData {
  defs: ArrayLike<number>;
  reps: ArrayLike<number>;
  values: ArrayLike<unknown>;
  slot: number;
  value: number;
}

type Hyparquet = typeof import('hyparquet');
type HyparquetColumn = typeof import('hyparquet/src/column.js');
type HyparquetPages = typeof import('hyparquet/src/datapage.js');
type HyparquetPlain = typeof import('hyparquet/src/plain.js');
type ColumnDecoder = Parameters<HyparquetPages['readDataPageV2']>[2];

const KEY_END = Buffer.from(':');
const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * NDJSON written straight from a row group's column chunks: each leaf column's definition
 * and repetition levels and values, walked row by row as the schema says (Dremel's record
 * assembly), with no row objects in between. hyparquet's reader assembles every row into
 * objects and lists, which the writer then walks again: half of a read of SFT
 * conversations went to that assembly and to collecting its garbage.
 *
 * For the schemas our writer writes and most others (structs, three-level lists, text,
 * numbers and booleans, required or optional); `columnRows` says null for any other, whose
 * files take hyparquet's way. Each line is the one JsonLines writes from hyparquet's rows.
 */
export class ColumnRows {
  private constructor(
    private readonly columns: Array<{ key: Uint8Array; node: Node }>,
    private readonly decoders: ColumnDecoder[],
    private readonly libs: { column: HyparquetColumn; pages: HyparquetPages; plain: HyparquetPlain },
  ) {}

  /** The assembler for a file's schema, or null when the schema holds what it does not handle. */
  static async of(metadata: FileMetaData, compressors: Compressors, trip: RoundTrip): Promise<ColumnRows | null> {
    const hyparquet: Hyparquet = await import('hyparquet');
    const root = hyparquet.parquetSchema(metadata);
    const leafTrees: SchemaTree[][] = [];
    const compile = (tree: SchemaTree, above: SchemaTree[], parentDef: number, rep: number, path: string): Node | null => {
      const { element } = tree;
      const trail = [...above, tree];
      const optional = element.repetition_type === 'OPTIONAL';
      if (element.repetition_type === 'REPEATED') return null;
      const def = parentDef + (optional ? 1 : 0);
      const first = leafTrees.length;
      const absent = trip.absent.has(path);
      if (tree.children.length === 0) {
        const type = leafType(element);
        if (type === null) return null;
        leafTrees.push(trail);
        return { kind: 'leaf', optional, def, leaves: [first], first, absent, type, json: type === 'text' && trip.json.has(path) };
      }
      if (element.converted_type === 'LIST' || element.logical_type?.type === 'LIST') {
        // Three levels: the LIST group, one repeated group, its one element.
        const repeated = tree.children[0]!;
        if (tree.children.length !== 1 || repeated.element.repetition_type !== 'REPEATED' || repeated.children.length !== 1) return null;
        const element = compile(repeated.children[0]!, [...trail, repeated], def + 1, rep + 1, `${path}[]`);
        if (element === null) return null;
        return { kind: 'list', optional, def, leaves: range(first, leafTrees.length), first, absent, element, rep: rep + 1 };
      }
      if (element.converted_type !== undefined || element.logical_type !== undefined) return null;
      const fields: Array<{ key: Uint8Array; node: Node }> = [];
      for (const child of tree.children) {
        const node = compile(child, trail, def, rep, `${path}.${child.element.name}`);
        if (node === null) return null;
        fields.push({ key: keyBytes(child.element.name), node });
      }
      inObjectOrder(fields, tree.children);
      return { kind: 'struct', optional, def, leaves: range(first, leafTrees.length), first, absent, fields };
    };
    const columns: Array<{ key: Uint8Array; node: Node }> = [];
    for (const child of root.children) {
      const node = compile(child, [root], 0, 0, child.element.name);
      if (node === null) return null;
      columns.push({ key: keyBytes(child.element.name), node });
    }
    inObjectOrder(columns, root.children);
    const decoders = leafTrees.map(
      (trail): ColumnDecoder => ({
        pathInSchema: trail.slice(1).map((t) => t.element.name),
        type: trail.at(-1)!.element.type!,
        element: trail.at(-1)!.element,
        schemaPath: trail,
        codec: 'UNCOMPRESSED',
        parsers: undefined as unknown as ColumnDecoder['parsers'],
        compressors,
      }),
    );
    const [column, pages, plain] = await Promise.all([import('hyparquet/src/column.js'), import('hyparquet/src/datapage.js'), import('hyparquet/src/plain.js')]);
    return new ColumnRows(columns, decoders, { column, pages, plain });
  }

  /**
   * Reads one row group's column chunks; then `row` writes its rows, a line at a time, and
   * `leftOver` says, once they are written, whether any column held more or fewer levels or
   * values than the rows took (a damaged file), as a message, or null.
   */
  async load(file: AsyncBuffer, metadata: FileMetaData, index: number): Promise<{ rows: number; row(out: JsonSink): void; leftOver(): string | null }> {
    const group = metadata.row_groups[index]!;
    if (group.columns.length !== this.decoders.length) throw new Error(`parquet row group ${index} has ${group.columns.length} columns for ${this.decoders.length} in the schema`);
    const leaves: LeafData[] = [];
    for (const [c, chunk] of group.columns.entries()) leaves.push(await this.readChunk(file, chunk, this.decoders[c]!));
    const rows = Number(group.num_rows);
    for (const [c, leaf] of leaves.entries()) {
      // Each row begins a new slot at repetition level 0 (every slot, under no list).
      let starts = leaf.reps.length === 0 ? Math.max(leaf.defs.length, leaf.values.length) : 0;
      for (let i = 0; i < leaf.reps.length; i++) if (leaf.reps[i] === 0) starts++;
      if (starts !== rows) throw new Error(`column ${this.decoders[c]!.pathInSchema.join('.')} holds ${starts} rows where the row group says ${rows}`);
    }
    return {
      rows,
      row: (out) => {
        out.byte(0x7b);
        this.fields(this.columns, leaves, out);
        out.byte(0x7d);
        out.byte(0x0a);
      },
      leftOver: () => {
        for (const [c, leaf] of leaves.entries()) {
          const slots = Math.max(leaf.defs.length, leaf.reps.length, leaf.defs.length === 0 ? leaf.values.length : 0);
          if (leaf.slot !== slots || leaf.value !== leaf.values.length)
            return `column ${this.decoders[c]!.pathInSchema.join('.')} holds ${slots} levels and ${leaf.values.length} values, but its ${group.num_rows} rows took ${leaf.slot} and ${leaf.value}`;
        }
        return null;
      },
    };
  }

  private fields(fields: Array<{ key: Uint8Array; node: Node }>, leaves: LeafData[], out: JsonSink): void {
    let first = true;
    for (const { key, node } of fields) {
      // As restoreRecord: a null where the field was absent is left out.
      if (node.absent && isNull(node, leaves)) {
        skip(node, leaves);
        continue;
      }
      if (!first) out.byte(0x2c);
      first = false;
      out.raw(key);
      this.value(node, leaves, out);
    }
  }

  private value(node: Node, leaves: LeafData[], out: JsonSink): void {
    if (node.kind === 'leaf') {
      const leaf = leaves[node.first]!;
      const at = leaf.slot++;
      if (node.optional && leaf.defs[at]! < node.def) return out.text('null');
      const value = leaf.values[leaf.value++];
      if (node.type === 'text') {
        const bytes = value as Uint8Array;
        if (node.json) return out.text(JSON.stringify(JSON.parse(DECODER.decode(bytes))));
        return out.utf8(bytes);
      }
      if (node.type === 'bool') return out.text(value ? 'true' : 'false');
      const number = node.type === 'bigint' ? Number(value as bigint) : (value as number);
      return out.text(Number.isFinite(number) ? String(number) : 'null');
    }
    if (isNull(node, leaves)) {
      skip(node, leaves);
      return out.text('null');
    }
    if (node.kind === 'struct') {
      out.byte(0x7b);
      this.fields(node.fields, leaves, out);
      return out.byte(0x7d);
    }
    const lead = leaves[node.first]!;
    // There, but with no element: the repeated level is not reached.
    if (lead.defs.length > 0 && lead.defs[lead.slot]! <= node.def) {
      skip(node, leaves);
      return out.text('[]');
    }
    out.byte(0x5b);
    this.value(node.element, leaves, out);
    while (lead.slot < lead.reps.length && lead.reps[lead.slot] === node.rep) {
      out.byte(0x2c);
      this.value(node.element, leaves, out);
    }
    out.byte(0x5d);
  }

  /** A column chunk's levels and values, its pages joined; dictionary indexes looked up. */
  private async readChunk(file: AsyncBuffer, chunk: ColumnChunk, decoder: ColumnDecoder): Promise<LeafData> {
    const meta = chunk.meta_data;
    if (!meta) throw new Error('parquet column chunk without metadata');
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const bytes = await file.slice(start, start + Number(meta.total_compressed_size));
    const view = new DataView(bytes);
    const reader = { view, offset: 0 };
    const columnDecoder: ColumnDecoder = { ...decoder, codec: meta.codec };
    const { column, pages, plain } = this.libs;
    const defs: number[][] = [];
    const reps: number[][] = [];
    const values: Array<ArrayLike<unknown>> = [];
    let dictionary: ArrayLike<unknown> | undefined;
    while (reader.offset < view.byteLength - 1) {
      const header = column.parquetHeader(reader);
      const body = new Uint8Array(bytes, reader.offset, header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      if (header.type === 'DICTIONARY_PAGE') {
        const page = pages.decompressPage(body, header.uncompressed_page_size, meta.codec, columnDecoder.compressors);
        const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
        dictionary = plain.readPlain(pageReader, decoder.type, header.dictionary_page_header!.num_values, decoder.element.type_length);
        continue;
      }
      let data: ReturnType<HyparquetPages['readDataPageV2']>;
      let encoding: string;
      if (header.type === 'DATA_PAGE_V2') {
        data = pages.readDataPageV2(body, header, columnDecoder);
        encoding = header.data_page_header_v2!.encoding;
      } else if (header.type === 'DATA_PAGE') {
        const page = pages.decompressPage(body, header.uncompressed_page_size, meta.codec, columnDecoder.compressors);
        data = pages.readDataPage(page, header.data_page_header!, columnDecoder);
        encoding = header.data_page_header!.encoding;
      } else continue;
      if (data.definitionLevels) defs.push(data.definitionLevels);
      reps.push(data.repetitionLevels);
      values.push(encoding.endsWith('_DICTIONARY') ? looked(data.dataPage as ArrayLike<number>, dictionary) : data.dataPage);
    }
    return { defs: joined(defs), reps: joined(reps), values: joined(values), slot: 0, value: 0 };
  }
}

/** Whether a node's value at its leaves' current slot is null. */
function isNull(node: Node, leaves: LeafData[]): boolean {
  if (!node.optional) return false;
  const lead = leaves[node.first]!;
  return lead.defs[lead.slot]! < node.def;
}

/** Passes over a null (or empty) value: one slot in each leaf under the node, none with a value. */
function skip(node: Node, leaves: LeafData[]): void {
  for (const l of node.leaves) leaves[l]!.slot++;
}

function looked(indexes: ArrayLike<number>, dictionary: ArrayLike<unknown> | undefined): unknown[] {
  if (!dictionary) throw new Error('parquet dictionary page missing');
  const out = new Array<unknown>(indexes.length);
  for (let i = 0; i < indexes.length; i++) out[i] = dictionary[indexes[i]!];
  return out;
}

function joined<T>(parts: Array<ArrayLike<T>>): ArrayLike<T> {
  if (parts.length === 1) return parts[0]!;
  const out: T[] = [];
  for (const part of parts) for (let i = 0; i < part.length; i++) out.push(part[i]!);
  return out;
}

/**
 * Fields in the order of an object's keys, as hyparquet's rows give them: names that are
 * array indexes ("0", "17") first, by number, then the others as the schema has them.
 */
function inObjectOrder(fields: Array<{ key: Uint8Array; node: Node }>, trees: SchemaTree[]): void {
  const index = (name: string): number => (/^(0|[1-9][0-9]{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1 ? Number(name) : -1);
  const order = trees.map((tree, i) => ({ field: fields[i]!, n: index(tree.element.name), i }));
  order.sort((a, b) => (a.n >= 0 && b.n >= 0 ? a.n - b.n : a.n >= 0 ? -1 : b.n >= 0 ? 1 : a.i - b.i));
  order.forEach((o, i) => {
    fields[i] = o.field;
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function keyBytes(name: string): Uint8Array {
  return Buffer.concat([Buffer.from(JSON.stringify(name)), KEY_END]);
}

const SIGNED = new Set(['INT_8', 'INT_16', 'INT_32', 'INT_64']);

/** How a leaf's values are written, as hyparquet's reader gives them; null for a type left to hyparquet. */
function leafType(element: SchemaTree['element']): LeafType | null {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (type === 'BYTE_ARRAY') return (converted === undefined || converted === 'UTF8') && (logical === undefined || logical.type === 'STRING') ? 'text' : null;
  if (type === 'INT32' || type === 'INT64') {
    // Signed integers, which hyparquet gives as they are (unsigned ones it converts).
    if (converted !== undefined && !SIGNED.has(converted)) return null;
    if (logical !== undefined && !(logical.type === 'INTEGER' && logical.isSigned)) return null;
    return type === 'INT64' ? 'bigint' : 'number';
  }
  if (converted !== undefined || logical !== undefined) return null;
  if (type === 'DOUBLE' || type === 'FLOAT') return 'number';
  if (type === 'BOOLEAN') return 'bool';
  return null;
}
