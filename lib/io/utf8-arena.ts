const ENCODER = new TextEncoder();

/**
 * UTF-8 bytes of many strings, written one after another into large buffers: the Parquet
 * writer takes a string column as byte arrays, and encoding each string into a buffer of
 * its own (TextEncoder.encode) cost five times as much as writing it into a shared one.
 * The views stay valid until `reset`, after their row group is written.
 */
export class Utf8Arena {
  private chunk: Uint8Array;
  private used = 0;

  constructor(private readonly chunkBytes = 1 << 22) {
    this.chunk = new Uint8Array(chunkBytes);
  }

  encode(text: string): Uint8Array {
    // At most three bytes per UTF-16 code unit.
    if (this.chunk.length - this.used < text.length * 3) {
      this.chunk = new Uint8Array(Math.max(this.chunkBytes, text.length * 3));
      this.used = 0;
    }
    const start = this.used;
    this.used += ENCODER.encodeInto(text, this.chunk.subarray(start)).written;
    return this.chunk.subarray(start, this.used);
  }

  /** Starts a fresh buffer; views handed out before keep the old one alive until they go. */
  reset(): void {
    this.chunk = new Uint8Array(this.chunkBytes);
    this.used = 0;
  }
}
