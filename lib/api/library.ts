/**
 * sygra-stream as a library: load a graph file, run records through it, and get back each
 * record's fate (output, filtered or error) and the run's statistics. The CLI is a front
 * end to the same engine; this is the package's only export.
 *
 *   import { loadGraph, runGraph } from 'sygra-stream';
 *   const graph = await loadGraph('graph.yaml');
 *   try {
 *     const run = runGraph(graph, records);
 *     for await (const r of run) if (r.fate === 'output') keep(r.record);
 *     console.log(run.stats().records_out);
 *   } finally {
 *     await graph.close();
 *   }
 */
import h from 'highland';
import { loadGraph as loadGraphFile } from '../graph/load.js';
import { ModelRuntime } from '../llm/models.js';
import type { Graph } from '../graph/graph.js';
import type { Batch, Item, JsonObject } from '../record/item.js';
import { take } from '../record/handoff.js';
import { RunStats, type RunStatsReport } from '../metrics/run-stats.js';
import { graphStage, sourceStage } from '../engine/pipeline.js';
import { pullBatch } from '../io/sink.js';

export type { JsonObject } from '../record/item.js';
export type { RunStatsReport } from '../metrics/run-stats.js';
export { ConfigError } from '../config/problems.js';

export interface LoadOptions {
  /** Folder of the persistent response cache; none when left out. */
  cacheDir?: string;
  /** Keep identical model requests answered once, in memory and in `cacheDir` (default true). */
  cache?: boolean;
  /** Where API keys and `base_url`s are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Seed of samplers and of the built-in mock model (default 0). */
  seed?: number;
}

/** A graph file, validated and compiled, with its models ready to be asked. Close it when done. */
export interface LoadedGraph {
  /** The graph file's absolute path. */
  readonly file: string;
  /** Node names, in the order records meet them (loops and branches aside). */
  readonly nodes: readonly string[];
  /** Closes the models: the persistent cache is written and connections end. */
  close(): Promise<void>;
}

/**
 * Reads, validates and compiles a graph file. A bad graph throws a ConfigError whose
 * message names each problem by file:line:col.
 */
export async function loadGraph(file: string, options: LoadOptions = {}): Promise<LoadedGraph> {
  const runtime = new ModelRuntime({ cacheDir: options.cacheDir ?? null, cacheReadOnly: false, cache: options.cache ?? true, env: options.env ?? process.env });
  try {
    return new GraphHandle(await loadGraphFile(file, runtime, options.seed ?? 0), runtime);
  } catch (err) {
    await runtime.close();
    throw err;
  }
}

/** What became of one input record (or, for fan-out nodes, of each record it became). */
export type RecordFate =
  | { fate: 'output'; seq: number; record: JsonObject }
  | { fate: 'filtered'; seq: number; record: JsonObject; node: string; reason: string }
  | { fate: 'error'; seq: number; record: JsonObject; node: string | null; error: string };

export interface RunGraphOptions {
  /** Results in input order (default true); false lets a fast record overtake a slow one. */
  ordered?: boolean;
  /** Records read from the input at a time (default 256). */
  batchSize?: number;
}

/** A run: iterate it for the results; `stats()` counts them (final once iteration ends). */
export interface GraphRun extends AsyncIterable<RecordFate> {
  stats(): RunStatsReport;
}

/**
 * Runs records through a loaded graph. Nothing is read before iteration starts, and the
 * input is read only as fast as results are taken (backpressure), a batch at a time.
 * `seq` is the input record's position, from 0.
 */
export function runGraph(loaded: LoadedGraph, records: AsyncIterable<JsonObject> | Iterable<JsonObject>, options: RunGraphOptions = {}): GraphRun {
  if (!(loaded instanceof GraphHandle)) throw new TypeError('runGraph takes a graph from loadGraph');
  const graph = loaded.graph;
  const stats = new RunStats();
  const results = async function* (): AsyncGenerator<RecordFate> {
    const source = recordSource(records, graph.entry, stats, options.batchSize ?? 256);
    const stream = graphStage(graph, { ordered: options.ordered ?? true, stats })(sourceStage(graph, stats)(source));
    for (;;) {
      const batch = take(await pullBatch(stream));
      if (batch === null) return;
      for (const item of batch) yield fateOf(item, stats);
      stats.inFlight -= batch.length;
    }
  };
  return {
    [Symbol.asyncIterator]: () => results(),
    stats: () => stats.report(VERSION, graph.file, graph.models.report(), graph.sha256),
  };
}

const VERSION = 'library';

class GraphHandle implements LoadedGraph {
  readonly file: string;
  readonly nodes: readonly string[];

  constructor(
    readonly graph: Graph,
    private readonly runtime: ModelRuntime,
  ) {
    this.file = graph.file;
    this.nodes = graph.nodes.map((n) => n.name);
  }

  close(): Promise<void> {
    return this.runtime.close();
  }
}

/** Batches of items from the caller's records, pulled only when downstream asks. */
function recordSource(records: AsyncIterable<JsonObject> | Iterable<JsonObject>, entry: string | null, stats: RunStats, batchSize: number): Highland.Stream<Batch> {
  const iterator = Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : toAsync(records[Symbol.iterator]());
  let seq = 0;
  return h<Batch>((push, next) => {
    void (async () => {
      const batch: Batch = [];
      try {
        while (batch.length < batchSize) {
          const r = await iterator.next();
          if (r.done) break;
          if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) throw new TypeError(`record ${seq} is not a JSON object`);
          batch.push({ seq, line: seq + 1, record: r.value, route: entry });
          seq++;
        }
      } catch (err) {
        push(err as Error);
        push(null, h.nil);
        return;
      }
      if (batch.length > 0) {
        stats.admitted(batch.length);
        push(null, batch);
      }
      if (batch.length < batchSize) push(null, h.nil);
      else next();
    })();
  });
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: () => Promise.resolve(it.next()) };
}

function fateOf(item: Item, stats: RunStats): RecordFate {
  const outcome = item.outcome;
  if (outcome === undefined) {
    stats.recordsOut++;
    return { fate: 'output', seq: item.seq, record: item.record };
  }
  if (outcome.kind === 'filtered') {
    stats.filtered++;
    return { fate: 'filtered', seq: item.seq, record: item.record, node: outcome.node, reason: outcome.reason };
  }
  stats.errors++;
  return { fate: 'error', seq: item.seq, record: item.record, node: outcome.node, error: outcome.error };
}
