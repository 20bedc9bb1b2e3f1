import { isUtf8 } from 'node:buffer';
import { isJsonObject, type Item, type JsonObject } from '../record/item.js';

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The longest line read unless --max-line-mb says otherwise: 64 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits NDJSON bytes into items, a chunk at a time: one UTF-8 check per chunk, then per
 * line a native newline search, a decode and JSON.parse in a plain loop. Lines that are
 * not valid UTF-8, not JSON, or not JSON objects become error items; nothing is dropped.
 * Each record keeps a view of its input bytes (with the newline) so that an unchanged
 * record can be written back without stringifying it again.
 */
export class LineFramer {
  /**
   * The start of a line not yet ended, as the pieces it arrived in: they are joined once,
   * when its newline comes, so a line of many chunks costs a copy, not a copy per chunk.
   */
  private carried: Buffer[] = [];
  private carriedBytes = 0;
  private lineNo = 0;
  private seq = 0;
  private atStart = true;
  /** True while discarding the rest of an over-long line. */
  private skipping = false;

  constructor(
    private readonly entry: string | null,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    /** False with --threads: lines are checked and numbered here, and parsed by a worker thread. */
    private readonly parseJson = true,
  ) {}

  /** The item of a record that came parsed (a Parquet row), numbered as the next line. */
  item(record: JsonObject): Item {
    this.lineNo++;
    return { seq: this.seq++, line: this.lineNo, record, route: this.entry };
  }

  push(chunk: Buffer): Item[] {
    const out: Item[] = [];
    if (this.carriedBytes > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        // The line goes on: keep the piece, join nothing yet.
        this.carry(chunk, out);
        return out;
      }
      // Only the line carried over is joined with the start of the chunk: copying the whole
      // chunk behind it cost a second allocation of every byte read.
      const joined = Buffer.concat([...this.carried, chunk.subarray(0, nl + 1)], this.carriedBytes + nl + 1);
      this.carried = [];
      this.carriedBytes = 0;
      this.take(joined, out);
      chunk = chunk.subarray(nl + 1);
    }
    this.take(chunk, out);
    return out;
  }

  /** Keeps a piece of an unended line (a copy, so it does not pin the chunk it came in). */
  private carry(piece: Buffer, out: Item[]): void {
    this.carried.push(Buffer.from(piece));
    this.carriedBytes += piece.length;
    if (this.carriedBytes > this.maxLineBytes) this.tooLong(out);
  }

  /** Frames the whole lines of `buf` and keeps the rest as the carry (which is empty on entry). */
  private take(buf: Buffer, out: Item[]): void {
    if (this.atStart) {
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        this.carry(buf, out);
        return;
      }
      this.atStart = false;
      if (buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
    }
    if (this.skipping) {
      const nl = buf.indexOf(NEWLINE);
      if (nl === -1) return;
      this.skipping = false;
      buf = buf.subarray(nl + 1);
    }
    const last = buf.lastIndexOf(NEWLINE);
    if (last === -1) {
      if (buf.length > 0) this.carry(buf, out);
      return;
    }
    this.frame(buf.subarray(0, last + 1), out);
    if (last + 1 < buf.length) this.carry(buf.subarray(last + 1), out);
  }

  /** Flushes a final line that has no newline. */
  end(): Item[] {
    const out: Item[] = [];
    if (this.carriedBytes > 0 && !this.skipping) {
      const line = Buffer.concat(this.carried, this.carriedBytes);
      const rest = this.atStart && line.subarray(0, 3).equals(BOM) ? line.subarray(3) : line;
      this.frame(rest, out);
    }
    this.carried = [];
    this.carriedBytes = 0;
    return out;
  }

  /** Frames whole lines; `bytes` ends with a newline except for the input's last line. */
  private frame(bytes: Buffer, out: Item[]): void {
    const valid = isUtf8(bytes);
    let from = 0;
    while (from < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, from);
      const lineEnd = nl === -1 ? bytes.length : nl;
      this.lineNo++;
      let end = lineEnd;
      if (end > from && bytes[end - 1] === CR) end--;
      if (end > from) this.parse(bytes, from, end, nl !== -1 && end === nl, valid, out);
      from = lineEnd + 1;
    }
  }

  private parse(bytes: Buffer, start: number, end: number, reusable: boolean, valid: boolean, out: Item[]): void {
    if (!valid && !isUtf8(bytes.subarray(start, end))) {
      out.push(this.errorItem('invalid UTF-8 byte sequence', bytes.toString('utf8', start, end)));
      return;
    }
    if (!this.parseJson) {
      if (bytes[start]! <= 32 && bytes.toString('utf8', start, end).trim() === '') return;
      const item: Item = { seq: this.seq++, line: this.lineNo, record: UNPARSED, route: this.entry, unparsed: bytes.subarray(start, end) };
      // For the main thread, should it parse the line itself (see ThreadPool).
      if (reusable) item.bytes = bytes.subarray(start, end + 1);
      out.push(item);
      return;
    }
    const line = bytes.toString('utf8', start, end);
    if (line.charCodeAt(0) <= 32 && line.trim() === '') return;
    const item = itemOfLine(line, this.lineNo, this.seq++, this.entry);
    // LF-terminated lines only: CRLF and a last line without newline are re-serialised.
    if (reusable && item.outcome === undefined) item.bytes = bytes.subarray(start, end + 1);
    out.push(item);
  }

  private tooLong(out: Item[]): void {
    this.lineNo++;
    const start = this.carried[0]!.toString('utf8', 0, 200);
    const limit = this.maxLineBytes % (1024 * 1024) === 0 ? `${this.maxLineBytes / (1024 * 1024)} MiB` : `${this.maxLineBytes} bytes`;
    out.push(this.errorItem(`line longer than ${limit} (--max-line-mb)`, start));
    this.carried = [];
    this.carriedBytes = 0;
    this.skipping = true;
  }

  private errorItem(error: string, raw: string): Item {
    return lineError(error, raw, this.lineNo, this.seq++);
  }
}

/** The record of an item whose line a worker thread has yet to parse. */
const UNPARSED: JsonObject = Object.freeze({});

/** An input line (not blank) as an item: its record, or an error saying why it is none. */
export function itemOfLine(line: string, lineNo: number, seq: number, entry: string | null): Item {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return lineError(`malformed JSON: ${(err as Error).message}`, line, lineNo, seq);
  }
  if (!isJsonObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return lineError(`expected a JSON object, got ${kind}`, line, lineNo, seq);
  }
  return { seq, line: lineNo, record: value, route: entry };
}

/** An item the framer left unparsed (--threads), parsed on this thread; its input bytes are kept for an unchanged record. */
export function parseUnparsed(item: Item, entry: string | null): Item {
  if (item.unparsed === undefined) return item;
  const parsed = itemOfLine(item.unparsed.toString('utf8'), item.line, item.seq, entry);
  if (parsed.outcome === undefined && item.bytes !== undefined) parsed.bytes = item.bytes;
  return parsed;
}

function lineError(error: string, raw: string, lineNo: number, seq: number): Item {
  return { seq, line: lineNo, record: {}, route: null, raw, outcome: { kind: 'error', node: null, error } };
}
