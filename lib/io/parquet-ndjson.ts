import { isUtf8 } from 'node:buffer';
import { fromColumnValue } from './parquet-schema.js';
import { ColumnRows, type JsonSink } from './parquet-columns-json.js';
import { openParquetRead, parquetReadError, parquetRowGroups, type RoundTrip } from './parquet-read.js';

/** Bytes of NDJSON per chunk: about what one read of an NDJSON file gives. */
const CHUNK_BYTES = 256 * 1024;

/** A text value as the file holds it: UTF-8 bytes, not yet decoded. */
class Utf8Text {
  constructor(readonly bytes: Uint8Array) {}

  /** The text itself, where hyparquet makes one a key (of a map). */
  toString(): string {
    return DECODER.decode(this.bytes);
  }
}

/** hyparquet's text decoding replaced: the bytes are kept and written out as JSON directly. */
const KEEP_TEXT = { stringFromBytes: (bytes: Uint8Array) => (bytes === undefined ? bytes : new Utf8Text(bytes)) };

/** As the record reader decodes text (see parquet-read.ts): a leading U+FEFF is part of the value. */
const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes JSON.stringify writes as an escape: the C0 controls, `"` and `\`. */
const ESCAPED = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ESCAPED[b] = 1;
ESCAPED[0x22] = 1;
ESCAPED[0x5c] = 1;
const SHORT: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r', 34: '"', 92: '\\' };
const HEX = '0123456789abcdef';

/**
 * A Parquet file's records as NDJSON, in chunks of whole lines, each in an ArrayBuffer of
 * its own (so a worker thread can hand it over without a copy). Each line is what
 * JSON.stringify gives for the record as `parquetRecordBatches` reads it, but text is
 * written from the file's UTF-8 bytes, escaped where JSON needs it, never decoded into a
 * string: decoding, stringifying and encoding again took three quarters of a read. Where
 * the schema allows (see parquet-columns-json.ts), the lines are written straight from the
 * columns, with no row objects at all.
 */
export async function* parquetNdjson(path: string): AsyncGenerator<Buffer> {
  const out = new JsonLines();
  const opened = await openParquetRead(path);
  const columns = await ColumnRows.of(opened.metadata, opened.compressors, opened.trip);
  if (columns) {
    const count = opened.metadata.row_groups.length;
    for (let index = 0; index < count; index++) {
      try {
        const group = await columns.load(opened.file, opened.metadata, index);
        for (let r = 0; r < group.rows; r++) {
          group.row(out);
          if (out.size >= CHUNK_BYTES) yield out.take();
        }
        const problem = group.leftOver();
        if (problem) throw new Error(problem);
      } catch (err) {
        throw parquetReadError(path, err, { index, count });
      }
    }
  } else {
    for await (const { rows, trip } of parquetRowGroups(opened, KEEP_TEXT)) {
      for (const row of rows) {
        out.record(row, trip);
        if (out.size >= CHUNK_BYTES) yield out.take();
      }
    }
  }
  if (out.size > 0) yield out.take();
}

/** NDJSON lines written into one growing buffer. */
export class JsonLines implements JsonSink {
  private buf = Buffer.allocUnsafeSlow(CHUNK_BYTES * 2);
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** The lines so far, in an ArrayBuffer of their own (never Node's shared pool); the buffer starts again. */
  take(): Buffer {
    const copy = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(copy, 0, 0, this.used);
    this.used = 0;
    return copy;
  }

  /** One record (a row as hyparquet gives it with KEEP_TEXT) and its newline. */
  record(row: Record<string, unknown>, trip: RoundTrip): void {
    this.object(row, '', trip);
    this.byte(0x0a);
  }

  private object(object: Record<string, unknown>, prefix: string, trip: RoundTrip): void {
    this.byte(0x7b);
    let first = true;
    for (const key of Object.keys(object)) {
      const value = object[key];
      const path = prefix + key;
      // As restoreRecord: a null where the field was absent is left out.
      if ((value === null || value === undefined) && trip.absent.has(path)) continue;
      if (!first) this.byte(0x2c);
      first = false;
      this.text(JSON.stringify(key));
      this.byte(0x3a);
      this.value(value, path, trip);
    }
    this.byte(0x7d);
  }

  private value(value: unknown, path: string, trip: RoundTrip): void {
    if (value === null || value === undefined) return this.ascii('null');
    if (value instanceof Utf8Text) {
      if (trip.json.has(path)) return this.text(JSON.stringify(JSON.parse(DECODER.decode(value.bytes))));
      return this.utf8(value.bytes);
    }
    switch (typeof value) {
      case 'number':
        return this.ascii(Number.isFinite(value) ? String(value) : 'null');
      case 'boolean':
        return this.ascii(value ? 'true' : 'false');
      case 'bigint':
        return this.value(Number(value), path, trip);
    }
    if (Array.isArray(value)) {
      const element = `${path}[]`;
      this.byte(0x5b);
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.byte(0x2c);
        this.value(value[i], element, trip);
      }
      return this.byte(0x5d);
    }
    if (Object.getPrototypeOf(value) === Object.prototype) return this.object(value as Record<string, unknown>, `${path}.`, trip);
    // Dates, binary and the like: as the record reader gives them, stringified.
    this.text(JSON.stringify(fromColumnValue(value, path, trip)));
  }

  /** A JSON string from UTF-8 bytes: what JSON.stringify writes for the text TextDecoder makes of them. */
  utf8(bytes: Uint8Array): void {
    // Bytes that are not UTF-8 take the decoder's way, with its replacement characters.
    if (!isUtf8(bytes)) return this.text(JSON.stringify(DECODER.decode(bytes)));
    const n = bytes.length;
    this.room(n * 6 + 2);
    const buf = this.buf;
    let at = this.used;
    buf[at++] = 0x22;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (ESCAPED[b] === 0) continue;
      if (i > from) {
        buf.set(bytes.subarray(from, i), at);
        at += i - from;
      }
      buf[at++] = 0x5c;
      const short = SHORT[b];
      if (short !== undefined) buf[at++] = short.charCodeAt(0);
      else {
        buf[at++] = 0x75;
        buf[at++] = 0x30;
        buf[at++] = 0x30;
        buf[at++] = HEX.charCodeAt(b >> 4);
        buf[at++] = HEX.charCodeAt(b & 15);
      }
      from = i + 1;
    }
    if (n > from) {
      buf.set(from === 0 ? bytes : bytes.subarray(from), at);
      at += n - from;
    }
    buf[at++] = 0x22;
    this.used = at;
  }

  text(json: string): void {
    this.room(json.length * 3);
    this.used += this.buf.write(json, this.used);
  }

  private ascii(json: string): void {
    this.room(json.length);
    this.used += this.buf.write(json, this.used, 'latin1');
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.used++] = b;
  }

  private room(bytes: number): void {
    if (this.buf.length - this.used >= bytes) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + bytes));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
