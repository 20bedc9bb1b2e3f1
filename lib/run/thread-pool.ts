import { Worker } from 'node:worker_threads';
import h from 'highland';
import type { RunStats } from '../metrics/run-stats.js';
import { handoff, take, type Handoff } from '../record/handoff.js';
import { JobBuffers } from './job-buffers.js';
import { workerScript } from './worker-script.js';
import type { Batch, Item, JsonObject } from '../record/item.js';
import type { Stage } from '../engine/pipeline.js';
import { endWorker } from './end-worker.js';
import type { ThreadJob, ThreadResult, ThreadWorkerData } from './thread-protocol.js';

interface Pending {
  batch: Batch;
  /** The shared buffer carrying the job's lines, given back once the worker has answered. */
  buffer: SharedArrayBuffer;
  resolve(result: Handoff<Batch>): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  /** Whether it has loaded the graph: until then, batches are run elsewhere. */
  up: boolean;
  jobs: Map<number, Pending>;
}

const WRITTEN: JsonObject = Object.freeze({});
/** Batches a worker holds (one being run, one waiting) before the main thread runs the next one itself. */
const WORKER_QUEUE = 2;

/**
 * The threads of `--threads N`: N − 1 workers and the main thread each run the whole graph,
 * so parsing, the nodes and JSON output all spread over the cores. The main thread also
 * splits input into lines and writes the results, so it takes a batch only when every
 * worker that is up already has WORKER_QUEUE in hand; otherwise the batch goes to the
 * worker with the fewest (taking turns among equals). Running on the main thread rather
 * than in one more worker saves that worker's copy of the graph (with language
 * identification and the tokenizer, 988 → 710 MB peak RSS on two threads) and its
 * start-up, and sends nothing between threads.
 *
 * A worker gets batches only once it has loaded the graph. Sent to it before, they waited
 * there while the main thread, its window of batches in flight full of results held for
 * output order behind them, stood idle: a third of a second at every start (OASST ×200 on
 * two threads), and a small input took longer on two threads than on one.
 */
export class ThreadPool {
  private readonly threads: Thread[];
  private nextId = 0;
  private readonly buffers = new JobBuffers();
  private failure: Error | null = null;
  private closing = false;
  /** Where the search for the next worker starts, so that workers with as few batches take turns. */
  private turn = 0;

  constructor(
    size: number,
    data: ThreadWorkerData,
    private readonly stats: RunStats,
    /** Runs a batch of unparsed lines on the main thread. */
    private readonly runHere: (batch: Batch) => Batch,
  ) {
    this.threads = Array.from({ length: size }, () => this.start(data));
  }

  /** Runs one batch of unparsed lines; resolves with the items to write. */
  run(batch: Batch): Promise<Handoff<Batch>> {
    const lines = batch.filter((item) => item.unparsed !== undefined);
    // Lines the framer already failed (bad UTF-8, too long) need no thread.
    if (lines.length === 0) return Promise.resolve(handoff(batch));
    if (this.failure) return Promise.reject(this.failure);
    const thread = this.pick();
    if (thread === undefined) return Promise.resolve(handoff(this.runHere(batch)));
    const job = pack(this.nextId++, lines, this.buffers);
    const buffer = job.data.buffer as SharedArrayBuffer;
    const done = new Promise<Handoff<Batch>>((resolve, reject) => thread.jobs.set(job.id, { batch, buffer, resolve, reject }));
    thread.worker.postMessage(job);
    return done;
  }

  /**
   * At the end of the input: fails with a worker's failure, if one failed. A worker still
   * loading the graph is not waited for: the main thread ran every batch it would have had.
   */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
  }

  /** Ends the workers: those up and idle exit on their own, writing their compile cache (see endWorker). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => endWorker(t.worker, t.up && t.jobs.size === 0 && !this.failure)));
  }

  /** The worker that is up and holds the fewest batches (under WORKER_QUEUE), or none. */
  private pick(): Thread | undefined {
    let best: Thread | undefined;
    const n = this.threads.length;
    for (let k = 0; k < n; k++) {
      const thread = this.threads[(this.turn + k) % n]!;
      if (thread.up && thread.jobs.size < WORKER_QUEUE && (best === undefined || thread.jobs.size < best.jobs.size)) best = thread;
    }
    if (best !== undefined) this.turn = (this.threads.indexOf(best) + 1) % n;
    return best;
  }

  private start(data: ThreadWorkerData): Thread {
    const worker = new Worker(workerScript(), { workerData: data, stdout: false, stderr: false });
    const jobs = new Map<number, Pending>();
    const thread: Thread = { worker, jobs, up: false };
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const job of jobs.values()) job.reject(this.failure);
      jobs.clear();
    };
    worker.on('message', (message: ThreadResult | { ready: true }) => {
      if ('ready' in message) {
        thread.up = true;
        return;
      }
      const job = jobs.get(message.id)!;
      jobs.delete(message.id);
      this.buffers.give(job.buffer);
      if ('error' in message) return job.reject(new Error(`worker thread failed: ${message.error}`));
      job.resolve(handoff(this.unpack(job.batch, message)));
    });
    worker.on('error', (err) => fail(new Error(`worker thread failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`worker thread exited with code ${code}`));
    });
    return thread;
  }

  /** The worker's answer as items for the sink, and its node counts added to the run's. */
  private unpack(batch: Batch, result: Extract<ThreadResult, { out: Uint8Array }>): Batch {
    const out: Item[] = [];
    const bytes = Buffer.from(result.out.buffer, result.out.byteOffset, result.out.byteLength);
    let from = 0;
    for (let k = 0; k < result.outLines.length; k++) {
      const nl = bytes.indexOf(10, from);
      out.push({ seq: result.outSeqs[k]!, line: result.outLines[k]!, record: WRITTEN, route: null, bytes: bytes.subarray(from, nl + 1) });
      from = nl + 1;
    }
    // Terminal items, the worker's and the framer's, in input order.
    const ended: Item[] = result.ended.map((e) => ({ ...e, route: null }));
    for (const item of batch) if (item.unparsed === undefined) ended.push(item);
    ended.sort((a, b) => a.seq - b.seq);
    for (const item of ended) out.push(item);
    for (const [name, delta] of result.nodes) {
      const node = this.stats.node(name);
      node.in += delta.in;
      node.out += delta.out;
      node.filtered += delta.filtered;
      node.errors += delta.errors;
      node.fanout += delta.fanout;
      node.time_ms += delta.time_ms;
      if (delta.in > 0) this.stats.latency(name).record(delta.time_ms / delta.in, delta.in);
    }
    if (out.length !== batch.length) this.stats.grew(out.length - batch.length);
    return out;
  }
}

/** A highland stage handing batches to the pool, a bounded number at a time, in order unless `ordered` is false. */
export function threadStage(pool: ThreadPool, inFlight: number, ordered: boolean): Stage {
  return (upstream) => {
    const jobs = upstream.map((batch) => h(pool.run(batch)).map(take));
    const done = ordered ? jobs.parallel(inFlight) : jobs.mergeWithLimit(inFlight);
    // A worker that failed once the batches had all been sent fails the run all the same.
    return done.concat(h(pool.finish()).flatMap(() => h<Batch>([])));
  };
}

/** The lines of a batch in one shared buffer, each ended by a newline. */
function pack(id: number, items: readonly Item[], buffers: JobBuffers): ThreadJob {
  let size = 0;
  for (const item of items) size += item.unparsed!.length + 1;
  const data = new Uint8Array(buffers.take(size), 0, size);
  const lines = new Int32Array(items.length);
  const seqs = new Int32Array(items.length);
  let at = 0;
  items.forEach((item, k) => {
    data.set(item.unparsed!, at);
    at += item.unparsed!.length;
    data[at++] = 10;
    lines[k] = item.line;
    seqs[k] = item.seq;
  });
  return { id, data, lines, seqs };
}
