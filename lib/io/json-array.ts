import { Transform, type TransformCallback } from 'node:stream';

/**
 * Turns a JSON array (`[{...}, {...}]`) into NDJSON, one element a line, without holding
 * the array: it tracks nesting and strings byte by byte and cuts at the commas of the
 * top level. Whitespace between elements is dropped; elements pass through as written.
 */
export class JsonArrayToLines extends Transform {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  private element: Buffer[] = [];
  private from = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    this.from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (!this.started) {
        if (c === 0x5b) {
          this.started = true;
          this.from = i + 1;
        } else if (!isSpace(c) && !(i < 3 && (c === 0xef || c === 0xbb || c === 0xbf))) {
          return done(new Error('input is not a JSON array (it should start with "[")'));
        }
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) {
          // the closing bracket of the array
          this.cut(chunk, i, out);
          this.started = false;
          this.from = chunk.length;
          break;
        }
        this.depth--;
      } else if (c === 0x2c && this.depth === 0) this.cut(chunk, i, out);
    }
    if (this.started && this.from < chunk.length) this.element.push(chunk.subarray(this.from));
    if (out.length > 0) this.push(Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.started) return done(new Error('the JSON array is not closed (missing "]")'));
    done();
  }

  /** Ends the element before position `i` of `chunk`. */
  private cut(chunk: Buffer, i: number, out: Buffer[]): void {
    this.element.push(chunk.subarray(this.from, i));
    const text = Buffer.concat(this.element).toString('utf8').trim();
    this.element = [];
    this.from = i + 1;
    if (text !== '') out.push(Buffer.from(text.replace(/\r?\n/g, ' ') + '\n'));
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
