// The entry of a worker thread for `run --threads`: loads the same graph, then parses,
// runs and writes out the batches of lines it is sent. Only graphs of synchronous nodes
// that judge each record on its own come here (see threadBlocker).
import { parentPort, workerData } from 'node:worker_threads';
import { loadGraph } from '../graph/load.js';
import { itemOfLine } from '../io/line-framer.js';
import { BatchWriter, writeRecord } from '../io/sink.js';
import { RunStats, type NodeStats } from '../metrics/run-stats.js';
import type { Batch, Item } from '../record/item.js';
import type { Graph } from '../graph/graph.js';
import { threadedGraph } from '../engine/pipeline.js';
import { type ParquetEncodeThreadData, serveParquetEncode } from './parquet-encode-thread.js';
import { type ParquetThreadData, serveParquet } from './parquet-thread.js';
import { isThreadClose, type EndedItem, type ThreadJob, type ThreadResult, type ThreadWorkerData } from './thread-protocol.js';

const port = parentPort!;
const { graphPath, seed, keepFiltered, keepFailed } = workerData as ThreadWorkerData;
const stats = new RunStats();
const reported = new Map<string, NodeStats>();

// The same entry serves the threads that decode a Parquet input and encode a Parquet output
// (see parquet-thread.ts and parquet-encode-thread.ts).
const kind = (workerData as Partial<ParquetThreadData | ParquetEncodeThreadData>).kind;
// Asked to close (see endWorker), the thread exits on its own, which runs its exit handlers:
// the compile cache is written there. Listening first, this ends the thread before any
// other listener sees the message.
port.on('message', (message: unknown) => {
  if (isThreadClose(message)) process.exit(0);
});
if (kind === 'parquet-ndjson') void serveParquet(port, workerData as ParquetThreadData);
else if (kind === 'parquet-encode') serveParquetEncode(port, workerData as ParquetEncodeThreadData);
// No top-level await: the bundle that runs this is CommonJS (see scripts/bundle.ts). A graph
// that fails to load fails the thread, as an uncaught error, which the pool reports.
else
  loadGraph(graphPath, undefined, seed).then(serve, (err: unknown) => {
    process.nextTick(() => {
      throw err;
    });
  });

function serve(graph: Graph): void {
  const runGraph = threadedGraph(graph, stats);
  port.on('message', (job: ThreadJob) => {
    let result: ThreadResult;
    const transfer: ArrayBuffer[] = [];
    try {
      const batch = runGraph(parse(job, graph.entry));
      const writer = new BatchWriter();
      const outLines: number[] = [];
      const outSeqs: number[] = [];
      const ended: EndedItem[] = [];
      for (const item of batch) {
        if (item.outcome !== undefined) {
          // Copying a record back costs as much as parsing it: skip it when no file will hold it.
          const kept = item.outcome.kind === 'filtered' ? keepFiltered : keepFailed;
          ended.push({ seq: item.seq, line: item.line, record: kept ? item.record : {}, outcome: item.outcome, ...(item.raw === undefined || !kept ? {} : { raw: item.raw }) });
          continue;
        }
        writeRecord(writer, item);
        outLines.push(item.line);
        outSeqs.push(item.seq);
      }
      const out = standalone(writer.finish());
      transfer.push(out.buffer as ArrayBuffer);
      result = { id: job.id, out, outLines: Int32Array.from(outLines), outSeqs: Int32Array.from(outSeqs), ended, nodes: nodeDeltas() };
    } catch (err) {
      result = { id: job.id, error: (err as Error).message };
    }
    port.postMessage(result, transfer);
  });
  port.postMessage({ ready: true });
}

/** The job's lines as items, exactly as the main thread's framer would make them. */
function parse(job: ThreadJob, entry: Graph['entry']): Batch {
  const buf = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const items: Item[] = [];
  let from = 0;
  for (let k = 0; k < job.lines.length; k++) {
    const nl = buf.indexOf(10, from);
    const item = itemOfLine(buf.toString('utf8', from, nl), job.lines[k]!, job.seqs[k]!, entry);
    // Kept so that a record no node changed is written back as the bytes it came in as.
    if (item.outcome === undefined) item.bytes = buf.subarray(from, nl + 1);
    items.push(item);
    from = nl + 1;
  }
  return items;
}

/**
 * Bytes in an ArrayBuffer of their own, so they can be transferred rather than copied.
 * Output that is a view of the job's shared buffer (records passed on unchanged) is copied:
 * the main thread reuses that buffer for another job.
 */
function standalone(buf: Buffer | null): Uint8Array {
  if (buf === null) return new Uint8Array(0);
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && !(buf.buffer instanceof SharedArrayBuffer)) return buf;
  return new Uint8Array(buf);
}

/** What each node counted since the last batch. */
function nodeDeltas(): Array<[string, NodeStats]> {
  const deltas: Array<[string, NodeStats]> = [];
  for (const [name, now] of stats.nodes) {
    const before = reported.get(name) ?? { in: 0, out: 0, filtered: 0, errors: 0, fanout: 0, time_ms: 0 };
    deltas.push([
      name,
      {
        in: now.in - before.in,
        out: now.out - before.out,
        filtered: now.filtered - before.filtered,
        errors: now.errors - before.errors,
        fanout: now.fanout - before.fanout,
        time_ms: now.time_ms - before.time_ms,
      },
    ]);
    reported.set(name, { ...now });
  }
  return deltas;
}
