import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A file written in place, for --resume: appended to (or started afresh with `truncate`),
 * so what a killed run wrote stays for the next run to find. Same surface as AtomicFile.
 */
export class AppendFile {
  readonly stream: WriteStream;
  private readonly opened: Promise<void>;

  constructor(
    readonly path: string,
    truncate = false,
  ) {
    this.stream = createWriteStream(path, { flags: truncate ? 'w' : 'a' });
    this.opened = once(this.stream, 'open').then(() => undefined);
  }

  ready(): Promise<void> {
    return this.opened;
  }

  async commit(): Promise<void> {
    if (this.stream.writableFinished || this.stream.destroyed) return;
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
  }

  /** Keeps what was written: the next --resume run picks up from it. */
  abort(): Promise<void> {
    return this.commit().catch(() => undefined);
  }
}
