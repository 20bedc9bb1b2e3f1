import { isUtf8 } from 'node:buffer';
import { isJsonObject, type Item } from '../engine/item.js';

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits NDJSON bytes into items, a chunk at a time: one UTF-8 check, one decode and one
 * split per chunk on the fast path, then JSON.parse per line in a plain loop. Lines that
 * are not valid UTF-8, not JSON, or not JSON objects become error items; nothing is dropped.
 */
export class LineFramer {
  private carry: Buffer = Buffer.alloc(0);
  private lineNo = 0;
  private seq = 0;
  private atStart = true;
  /** Set while discarding the rest of an over-long line; holds its line number. */
  private skippingLine = 0;

  constructor(
    private readonly entry: string | null,
    private readonly maxLineBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): Item[] {
    let buf = chunk;
    if (this.atStart) {
      buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        this.carry = buf;
        return [];
      }
      this.atStart = false;
      this.carry = Buffer.alloc(0);
      if (buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
    }
    const out: Item[] = [];
    if (this.skippingLine > 0) {
      const nl = buf.indexOf(NEWLINE);
      if (nl === -1) return out;
      this.skippingLine = 0;
      buf = buf.subarray(nl + 1);
    }
    const last = buf.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.carry = this.carry.length > 0 ? Buffer.concat([this.carry, buf]) : Buffer.from(buf);
      if (this.carry.length > this.maxLineBytes) this.tooLong(out);
      return out;
    }
    const whole = this.carry.length > 0 ? Buffer.concat([this.carry, buf.subarray(0, last)]) : buf.subarray(0, last);
    // Copy the tail so the carry does not pin the whole chunk in memory.
    this.carry = Buffer.from(buf.subarray(last + 1));
    this.frame(whole, out);
    return out;
  }

  /** Flushes a final line that has no newline. */
  end(): Item[] {
    const out: Item[] = [];
    if (this.carry.length > 0 && this.skippingLine === 0) {
      const rest = this.atStart && this.carry.subarray(0, 3).equals(BOM) ? this.carry.subarray(3) : this.carry;
      this.frame(rest, out);
    }
    this.carry = Buffer.alloc(0);
    return out;
  }

  private frame(bytes: Buffer, out: Item[]): void {
    if (isUtf8(bytes)) {
      const lines = bytes.toString('utf8').split('\n');
      for (const line of lines) this.parse(line, out);
      return;
    }
    // Slow path, only for chunks holding invalid UTF-8: find the offending lines.
    let from = 0;
    while (from <= bytes.length) {
      let nl = bytes.indexOf(NEWLINE, from);
      if (nl === -1) nl = bytes.length;
      const lineBytes = bytes.subarray(from, nl);
      if (isUtf8(lineBytes)) this.parse(lineBytes.toString('utf8'), out);
      else {
        this.lineNo++;
        out.push(this.errorItem('invalid UTF-8 byte sequence', lineBytes.toString('utf8')));
      }
      from = nl + 1;
    }
  }

  private parse(rawLine: string, out: Item[]): void {
    this.lineNo++;
    const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      out.push(this.errorItem(`malformed JSON: ${(err as Error).message}`, line));
      return;
    }
    if (!isJsonObject(value)) {
      out.push(this.errorItem(`expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, line));
      return;
    }
    out.push({ seq: this.seq++, line: this.lineNo, record: value, route: this.entry });
  }

  private tooLong(out: Item[]): void {
    this.lineNo++;
    out.push(this.errorItem(`line longer than ${this.maxLineBytes} bytes`, this.carry.subarray(0, 200).toString('utf8')));
    this.carry = Buffer.alloc(0);
    this.skippingLine = this.lineNo;
  }

  private errorItem(error: string, raw: string): Item {
    return { seq: this.seq++, line: this.lineNo, record: {}, route: null, raw, outcome: { kind: 'error', node: null, error } };
  }
}
