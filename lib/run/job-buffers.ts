/** New buffers are at least this large, so that one fits the batches of a usual read (256 KiB). */
export const MIN_JOB_BUFFER = 1 << 20;
/** Larger buffers (made for a huge line) are not kept for reuse. */
export const MAX_KEPT_JOB_BUFFER = 8 << 20;
const MAX_FREE_JOB_BUFFERS = 8;

/**
 * Shared buffers that carry jobs' lines to the workers, each reused once its worker has
 * answered. A buffer allocated per batch and transferred counted as new external memory
 * on the main thread's V8 heap each time, and that memory starts full collections: on the
 * 412 MB OASST ×200 input the main thread's went from 23 to 14.
 */
export class JobBuffers {
  private readonly free: SharedArrayBuffer[] = [];

  /** A buffer of at least `size` bytes: a free one if one is large enough, else a new one. */
  take(size: number): SharedArrayBuffer {
    const at = this.free.findIndex((b) => b.byteLength >= size);
    if (at >= 0) return this.free.splice(at, 1)[0]!;
    return new SharedArrayBuffer(Math.max(size, MIN_JOB_BUFFER));
  }

  /** Takes a buffer back once nothing reads it any more. */
  give(buffer: SharedArrayBuffer): void {
    // Kept: a few, of the usual size; a buffer made for a huge line goes to the collector.
    if (buffer.byteLength <= MAX_KEPT_JOB_BUFFER && this.free.length < MAX_FREE_JOB_BUFFERS) this.free.push(buffer);
  }
}
