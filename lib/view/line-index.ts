import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Where each record of an NDJSON file lies, found by streaming it once: the file is never
 * held in memory, only a start and an end per line (16 bytes) in a typed array that
 * doubles as it fills. Reading record N afterwards is one positioned read of its bytes.
 * Blank lines hold no record and are not indexed: record N is the N-th non-blank line.
 */
export class LineIndex {
  /** [start, end) of record n at [2n, 2n + 1], the newline (and a CR before it) left out. */
  private bounds = new Float64Array(2048);
  /** Lines indexed so far (a last line without a newline counts). */
  count = 0;
  /** Bytes of the file covered by the index. */
  bytes = 0;
  /** The longest line seen, so a caller can size one read buffer for any line. */
  longest = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Streams `path` once; `onProgress` is told the bytes read after each chunk. */
  static async build(path: string, onProgress?: (bytes: number) => void): Promise<LineIndex> {
    const handle = await open(path, 'r');
    const index = new LineIndex(path, handle);
    try {
      let lineStart = 0;
      let position = 0;
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        let from = 0;
        for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
          const end = position + nl - (nl > 0 && chunk[nl - 1] === CR ? 1 : 0);
          if (end > lineStart) index.push(lineStart, end);
          lineStart = position + nl + 1;
          from = nl + 1;
        }
        position += chunk.length;
        onProgress?.(position);
      }
      if (position > lineStart) index.push(lineStart, position);
      index.bytes = position;
    } catch (err) {
      await handle.close();
      throw err;
    }
    return index;
  }

  private push(start: number, end: number): void {
    if (2 * this.count + 2 > this.bounds.length) {
      const grown = new Float64Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    this.bounds[2 * this.count] = start;
    this.bounds[2 * this.count + 1] = end;
    this.count++;
    if (end - start > this.longest) this.longest = end - start;
  }

  /** The byte range of record `n` (0-based), without its newline. */
  range(n: number): { start: number; end: number } {
    if (!(n >= 0 && n < this.count)) throw new RangeError(`record ${n + 1} is past the end (${this.count} records)`);
    return { start: this.bounds[2 * n]!, end: this.bounds[2 * n + 1]! };
  }

  /** Reads record `n`'s text (one positioned read). */
  async read(n: number): Promise<string> {
    const { start, end } = this.range(n);
    const buffer = Buffer.allocUnsafe(end - start);
    await this.handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  }

  /**
   * Calls `each(n, bytes)` for the lines in `[from, to)` in order, reading the file in big
   * sequential chunks (for scans such as a text search), not a read per line.
   */
  async scan(from: number, to: number, each: (n: number, line: Buffer) => boolean | undefined, chunkBytes = 4 << 20): Promise<void> {
    let n = from;
    const buffer = Buffer.allocUnsafe(Math.max(chunkBytes, this.longest + 1));
    while (n < to) {
      const first = this.range(n).start;
      // As many whole lines as fit in one read.
      let last = n;
      while (last + 1 < to && this.bounds[2 * last + 3]! - first <= buffer.length) last++;
      const length = this.range(last).end - first;
      await this.handle.read(buffer, 0, length, first);
      // Let requests that came in meanwhile be answered before the next piece is worked on.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (; n <= last; n++) {
        const start = this.bounds[2 * n]!;
        const end = this.bounds[2 * n + 1]!;
        if (each(n, buffer.subarray(start - first, end - first)) === false) return;
      }
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
