import { once } from 'node:events';
import { AppendFile } from './append-file.js';
import { AtomicFile } from './atomic-file.js';

/**
 * An NDJSON side file (`--errors`, `--rejected`). Writes wait for `drain`, so a slow disk
 * holds the pipeline back instead of growing a buffer. A line that cannot be written as
 * JSON (its record holds a BigInt or a cycle, or nests too deep) is written with the
 * record replaced by the reason, so the line itself is never lost.
 */
export class SideOutput {
  private readonly file: AtomicFile | AppendFile;
  count = 0;
  /** Bytes handed to the file so far. */
  bytes = 0;
  /** One wait for `drain` shared by every write made while the stream is full. */
  private draining: Promise<void> | null = null;

  /** `atomic`: renamed into place at the end; `append`/`truncate`: written in place (--resume). */
  constructor(path: string, mode: 'atomic' | 'append' | 'truncate' = 'atomic') {
    this.file = mode === 'atomic' ? new AtomicFile(path) : new AppendFile(path, mode === 'truncate');
    // A file that fails to open reports it through ready(); the stream's own error is handled.
    this.file.stream.on('error', () => undefined);
  }

  ready(): Promise<void> {
    return this.file.ready();
  }

  /** Writes one line; resolves at once unless the stream asks to wait. */
  write(value: Record<string, unknown>): Promise<void> | undefined {
    this.count++;
    const stream = this.file.stream;
    if (stream.destroyed) return undefined;
    const line = jsonLine(value);
    this.bytes += Buffer.byteLength(line);
    if (stream.write(line) && !this.draining) return undefined;
    this.draining ??= Promise.race([once(stream, 'drain'), once(stream, 'close')]).then(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Resolves once every line written so far is in the file (rejects if a write failed). */
  flushed(): Promise<void> {
    const stream = this.file.stream;
    if (stream.destroyed) return stream.errored ? Promise.reject(stream.errored) : Promise.resolve();
    return new Promise((resolve, reject) => stream.write('', (err) => (err ? reject(err) : resolve())));
  }

  async commit(): Promise<void> {
    if (this.file.stream.errored) throw this.file.stream.errored;
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}

function jsonLine(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value) + '\n';
  } catch (err) {
    const safe: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      try {
        JSON.stringify(v);
        safe[key] = v;
      } catch {
        safe[key] = `(cannot be written as JSON: ${(err as Error).message})`;
      }
    }
    return JSON.stringify(safe) + '\n';
  }
}
