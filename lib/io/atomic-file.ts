import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';

/**
 * A file written under a temporary name beside its target and renamed into place on
 * commit, so readers never see a half-written file.
 */
export class AtomicFile {
  readonly stream: WriteStream;
  private readonly temp: string;
  private opened: Promise<void>;

  constructor(readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.stream = createWriteStream(this.temp);
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
    await rename(this.temp, this.path);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await unlink(this.temp).catch(() => undefined);
  }
}
