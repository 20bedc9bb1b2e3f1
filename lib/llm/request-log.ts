import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * --log-requests: one NDJSON line per attempt sent to a model's server (chat and raw
 * completions), to read with jq or load in a notebook: where it came from (node, input
 * line, record id), the request as sent after templating, the attempt's number, the answer
 * or error, tokens, latency and cost. With `cacheHits`, also a line for each call a cache
 * answered (or that joined an identical request in flight). Keys and headers are never
 * part of a request body, so never part of the log.
 */
export class RequestLog {
  private readonly stream: WriteStream;
  private failed: Error | null = null;
  /** Lines written. */
  count = 0;

  constructor(
    readonly path: string,
    /** --log-cache-hits: log calls answered without a request of their own, too. */
    readonly cacheHits = false,
  ) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (err) => {
      this.failed ??= err;
    });
  }

  /** Writes one entry; waits when the file is behind, so a slow disk slows calls instead of filling memory. */
  async write(entry: Record<string, unknown>): Promise<void> {
    if (this.failed || this.stream.destroyed) return;
    this.count++;
    if (!this.stream.write(`${JSON.stringify(entry)}\n`)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'close')]);
  }

  /** Ends the file; rejects with the write failure, if there was one. */
  async close(): Promise<void> {
    if (!this.stream.destroyed) {
      this.stream.end();
      await once(this.stream, 'close').catch(() => undefined);
    }
    if (this.failed) throw new Error(`cannot write ${this.path}: ${(this.failed as NodeJS.ErrnoException).code ?? this.failed.message}`);
  }
}
