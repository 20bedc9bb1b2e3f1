import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ndjson from 'ndjson';
import { AppendFile } from './append-file.js';
import { AtomicFile } from './atomic-file.js';

/**
 * An NDJSON side file (`--errors`, `--rejected`). Off the hot path, so it uses ndjson's
 * object stream; writes wait for `drain` so a slow disk holds the pipeline back instead
 * of growing a buffer.
 */
export class SideOutput {
  private readonly file: AtomicFile | AppendFile;
  private readonly encoder: Writable;
  private readonly piped: Promise<unknown>;
  count = 0;
  /** One wait for `drain` shared by every write made while the stream is full. */
  private draining: Promise<void> | null = null;

  /** `atomic`: renamed into place at the end; `append`/`truncate`: written in place (--resume). */
  constructor(path: string, mode: 'atomic' | 'append' | 'truncate' = 'atomic') {
    this.file = mode === 'atomic' ? new AtomicFile(path) : new AppendFile(path, mode === 'truncate');
    this.encoder = ndjson.stringify() as unknown as Writable;
    (this.encoder as unknown as NodeJS.ReadableStream).pipe(this.file.stream);
    this.piped = once(this.file.stream, 'finish');
    // A file that fails to open, or is aborted, rejects this; commit() still sees the failure.
    this.piped.catch(() => undefined);
  }

  ready(): Promise<void> {
    return this.file.ready();
  }

  /** Writes one record; resolves at once unless the stream asks to wait. */
  write(value: object): Promise<void> | undefined {
    this.count++;
    if (this.encoder.write(value) && !this.draining) return undefined;
    this.draining ??= once(this.encoder, 'drain').then(() => {
      this.draining = null;
    });
    return this.draining;
  }

  async commit(): Promise<void> {
    this.encoder.end();
    await this.piped;
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}
