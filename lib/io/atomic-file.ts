import { createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { replace, writeTarget, type WriteTarget } from './write-target.js';

/**
 * An output file that readers never see half-written: a regular file is written under a
 * temporary name beside it and renamed into place on commit (its mode and owner kept, a
 * symbolic link to it followed). A device, FIFO or /dev/stdout is written in place: it is
 * never replaced by a regular file.
 */
export class AtomicFile {
  readonly stream: WriteStream;
  private readonly target: WriteTarget;
  private readonly opened: Promise<void>;

  constructor(readonly path: string) {
    this.target = writeTarget(path);
    this.stream = createWriteStream(this.target.kind === 'replace' ? this.target.temp : this.target.path);
    // Surface open errors (missing folder, permissions) before the first record.
    this.opened = once(this.stream, 'open').then(() => undefined);
  }

  ready(): Promise<void> {
    return this.opened;
  }

  async commit(): Promise<void> {
    if (!this.stream.writableFinished) {
      const finished = once(this.stream, 'finish');
      this.stream.end();
      await finished;
    }
    if (this.target.kind === 'replace') await replace(this.target);
  }

  /** Drops what was written: the temporary file goes, the target is left as it was. */
  async abort(): Promise<void> {
    this.stream.destroy();
    if (this.target.kind === 'replace') await unlink(this.target.temp).catch(() => undefined);
  }
}
