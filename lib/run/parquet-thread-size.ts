/**
 * Parquet files at least this large are decoded on a worker thread (parquet-thread.ts):
 * below it, starting the thread (about 30 ms) costs more than it saves.
 */
export const PARQUET_THREAD_MIN_BYTES = 16 << 20;
