import { LatencyHistogram } from './latency.js';

/** Counters for one node. `fanout` counts the extra records an array result created. */
export interface NodeStats {
  in: number;
  out: number;
  filtered: number;
  errors: number;
  fanout: number;
  time_ms: number;
}

/** Counters for one branch of a fan-out: records sent down it, and how each ended at the join. */
export interface BranchStats {
  in: number;
  delivered: number;
  filtered: number;
  errors: number;
}

/** A node's counters as reported, with the time records spent in it. */
export interface NodeReport extends NodeStats {
  /** Per record, in ms. For synchronous nodes, a batch's time shared evenly among its records. */
  latency_ms: { p50: number; p95: number; p99: number; max: number };
}

/** The `--stats` file's shape. Fields are only ever added, never renamed. */
export interface RunStatsReport {
  version: string;
  graph: string;
  /** sha256 of the graph file's bytes: which exact pipeline made this data. */
  graph_sha256: string | null;
  records_in: number;
  records_out: number;
  filtered: number;
  errors: number;
  fanout: number;
  /** --resume: input records finished by an earlier run, passed over. */
  skipped: number;
  /** Holds in every run: records_in + fanout = records_out + filtered + errors + skipped. */
  conserved: boolean;
  /** Most records held between input and output at once: the memory bound in practice. */
  peak_in_flight: number;
  wall_ms: number;
  interrupted: boolean;
  nodes: Record<string, NodeReport>;
  /** Graphs that fan out: per fan-out (named by the node it leaves, or START), per branch (its first node). */
  branches?: Record<string, Record<string, BranchStats>>;
  /** Per model: requests, retries, failures, tokens, cache hits, latency. */
  models: Record<string, unknown>;
}

/** Counts every record from input to its end as output, filtered or error. */
export class RunStats {
  recordsIn = 0;
  recordsOut = 0;
  filtered = 0;
  errors = 0;
  skipped = 0;
  /** Input bytes read so far (for the progress ETA). */
  bytesIn = 0;
  inFlight = 0;
  peakInFlight = 0;
  interrupted = false;
  readonly nodes = new Map<string, NodeStats>();
  private readonly latencies = new Map<string, LatencyHistogram>();
  private readonly fanouts = new Map<string, Map<string, BranchStats>>();
  private readonly startedAt = performance.now();

  node(name: string): NodeStats {
    let s = this.nodes.get(name);
    if (!s) {
      s = { in: 0, out: 0, filtered: 0, errors: 0, fanout: 0, time_ms: 0 };
      this.nodes.set(name, s);
    }
    return s;
  }

  /** The counters of one branch of the fan-out that leaves `from`. */
  branch(from: string, head: string): BranchStats {
    let f = this.fanouts.get(from);
    if (!f) this.fanouts.set(from, (f = new Map()));
    let s = f.get(head);
    if (!s) f.set(head, (s = { in: 0, delivered: 0, filtered: 0, errors: 0 }));
    return s;
  }

  /** The latency histogram of a node (per record). */
  latency(name: string): LatencyHistogram {
    let h = this.latencies.get(name);
    if (!h) this.latencies.set(name, (h = new LatencyHistogram()));
    return h;
  }

  /** A batch entered the pipeline (after framing). */
  admitted(count: number): void {
    this.recordsIn += count;
    this.inFlight += count;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  /** Fan-out created `count` extra items inside the pipeline. */
  grew(count: number): void {
    this.inFlight += count;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  /** A source stage turned `removed` input lines into `added` records (e.g. OASST messages into conversations). */
  replaced(removed: number, added: number): void {
    this.recordsIn += added - removed;
    this.inFlight += added - removed;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  get fanout(): number {
    let total = 0;
    for (const s of this.nodes.values()) total += s.fanout;
    return total;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  report(version: string, graph: string, models: Record<string, unknown> = {}, graphSha256: string | null = null): RunStatsReport {
    const fanout = this.fanout;
    const nodes: Record<string, NodeReport> = {};
    for (const [name, s] of this.nodes) nodes[name] = { ...s, time_ms: Math.round(s.time_ms * 1000) / 1000, latency_ms: this.latency(name).summary() };
    return {
      version,
      graph,
      graph_sha256: graphSha256,
      records_in: this.recordsIn,
      records_out: this.recordsOut,
      filtered: this.filtered,
      errors: this.errors,
      fanout,
      skipped: this.skipped,
      conserved: this.recordsIn + fanout === this.recordsOut + this.filtered + this.errors + this.skipped,
      peak_in_flight: this.peakInFlight,
      wall_ms: Math.round(this.elapsedMs()),
      interrupted: this.interrupted,
      nodes,
      ...(this.fanouts.size === 0 ? {} : { branches: Object.fromEntries([...this.fanouts].map(([from, f]) => [from, Object.fromEntries(f)])) }),
      models,
    };
  }
}
