import { type FileHandle, open } from 'node:fs/promises';
import type { Writer } from 'hyparquet-writer';

/** A row group's compressed bytes fit in this without growing, as a rule. */
const INITIAL_BYTES = 8 << 20;

/**
 * The Parquet writer's byte sink for a file, written in the background: each row group's
 * bytes go to the file while the next group is read and encoded, at most one write behind.
 * hyparquet-writer's own `fileWriter` writes synchronously, reopening the file for every
 * megabyte (`writeFileSync(path, …, { flag: 'a' })`), and on a run of a million records
 * those writes held the thread for a twentieth of the run.
 */
export async function parquetFileWriter(path: string): Promise<Writer & { close(): Promise<void> }> {
  const { ByteWriter } = await import('hyparquet-writer');
  const handle = await open(path, 'w');

  class BackgroundFileWriter extends ByteWriter {
    /** The write under way, if any; it never rejects (its error is kept in `failure`). */
    private writing: Promise<void> | null = null;
    private failure: Error | null = null;
    private closed = false;

    constructor() {
      super(INITIAL_BYTES);
    }

    /** Called after each row group: its bytes go to the file; resolves once the group before it is written. */
    flush(): Promise<void> | undefined {
      if (this.failure) return Promise.reject(this.failure);
      const previous = this.writing;
      const bytes = new Uint8Array(this.buffer, 0, this.index);
      // A fresh buffer for the next group: the old one is the write's until it is done.
      this.buffer = new ArrayBuffer(Math.max(INITIAL_BYTES, this.buffer.byteLength));
      this.view = new DataView(this.buffer);
      this.index = 0;
      this.writing = (previous ?? Promise.resolve()).then(() => (this.failure ? undefined : writeAll(handle, bytes).catch((err: Error) => void (this.failure ??= err))));
      return previous?.then(() => this.check()) ?? undefined;
    }

    override finish(): Promise<void> {
      const bytes = new Uint8Array(this.buffer, 0, this.index);
      this.index = 0;
      return (this.writing ?? Promise.resolve())
        .then(() => this.check())
        .then(() => writeAll(handle, bytes))
        .finally(() => this.close());
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      await this.writing;
      await handle.close();
    }

    override getBuffer(): ArrayBuffer {
      throw new Error('a Parquet file writer has no buffer to give: its bytes are in the file');
    }

    override getBytes(): Uint8Array<ArrayBuffer> {
      throw new Error('a Parquet file writer has no bytes to give: they are in the file');
    }

    private check(): void {
      if (this.failure) throw this.failure;
    }
  }
  return new BackgroundFileWriter();
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
    at += bytesWritten;
  }
}
