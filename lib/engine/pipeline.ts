import type { CompiledFanout, Graph, GraphNode } from '../graph/graph.js';
import { fanoutNode } from './fanout-runner.js';
import type { RunStats } from '../metrics/run-stats.js';
import { asyncStage } from './async-stage.js';
import type { Batch } from '../record/item.js';
import { loopNode } from './loop-runner.js';
import { outputStage } from './output-stage.js';
import { syncStage } from './sync-stage.js';
import { OasstConverter } from '../oasst/convert.js';
import { oasstStage } from '../oasst/stage.js';

export type Stage = (upstream: Highland.Stream<Batch>) => Highland.Stream<Batch>;

/**
 * Lays the graph's nodes out as stages on one line, in topological order: consecutive
 * synchronous nodes fuse into one batch map; each async node gets a windowed stage.
 */
export function compileStages(graph: Graph, options: { ordered: boolean; stats: RunStats }): Stage[] {
  const stages: Stage[] = [];
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  // A fan-out runs on the bus as one node named after its first branch; the join is its way out.
  const blockOf = new Map(graph.fanouts.flatMap((f) => f.branches.flatMap((b) => b.body.map((n) => [n, f] as const))));
  const routes = new Map(graph.routes);
  for (const f of graph.fanouts) routes.set(f.heads[0]!, () => f.join);
  const uncounted = new Set(graph.fanouts.map((f) => f.heads[0]!));
  let run: GraphNode[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const fn = syncStage(run, routes, options.stats, uncounted);
    stages.push((s) => s.map(fn));
    run = [];
  };
  const placed = new Set<CompiledFanout>();
  const inLoop = new Map(graph.loops.flatMap((l) => l.body.map((n) => [n, l] as const)));
  for (const node of graph.nodes) {
    const fanout = blockOf.get(node.name);
    if (fanout) {
      // The block takes the place of the first of its nodes in the order; the rest run inside it.
      if (placed.has(fanout)) continue;
      placed.add(fanout);
      const block: GraphNode = { ...node, name: fanout.heads[0]!, compiled: fanoutNode(fanout, byName, graph.routes, graph.loops, options.stats) };
      if (block.compiled.async) {
        flush();
        stages.push(asyncStage(block, routes.get(block.name)!, options, false));
      } else run.push(block);
      continue;
    }
    const loop = inLoop.get(node.name);
    if (loop) {
      // The loop takes its head's place on the bus; the other body nodes run inside it.
      if (loop.head !== node.name) continue;
      flush();
      const compiled = loopNode(loop, byName, graph.routes, options.stats);
      const route = graph.routes.get(loop.tail)!;
      stages.push(asyncStage({ ...node, compiled }, route, options, false));
      continue;
    }
    if (!node.compiled.async) {
      run.push(node);
      continue;
    }
    flush();
    stages.push(asyncStage(node, routes.get(node.name)!, options));
  }
  flush();
  return stages;
}

/**
 * Why the graph cannot run in worker threads, or null when it can: every node must be
 * synchronous (async nodes already overlap their waits on one thread) and judge each record
 * on its own (a dedup node must see every record).
 */
export function threadBlocker(graph: Graph): string | null {
  if (graph.source) return 'the graph converts OASST trees (`source:`), which needs every message of a tree in one place';
  if (graph.fanouts.length > 0) return `the graph fans out (from ${graph.fanouts[0]!.from}), and its branches run as one block`;
  if (graph.loops.length > 0) return `the graph loops (${graph.loops[0]!.head}), and loops run as async stages`;
  for (const node of graph.nodes) {
    if (node.compiled.async) return `node "${node.name}" is asynchronous; it already overlaps its requests (raise its concurrency instead)`;
    if (node.compiled.seesOtherRecords) return `node "${node.name}" compares each record with the ones before it, so it must see them all in one thread`;
  }
  return null;
}

/**
 * What `--threads auto` picks: every core (up to `cores`) for a graph the threads can run
 * that has a heavy node, else one thread; `why` says so in words.
 */
export function threadChoice(graph: Graph, cores: number): { threads: number; why: string } {
  const blocker = threadBlocker(graph);
  if (blocker) return { threads: 1, why: blocker };
  const heavy = graph.nodes.find((n) => n.compiled.heavy === true);
  if (!heavy || cores < 2) {
    return { threads: 1, why: heavy ? 'one core' : 'no node does enough work a record to pay for handing records to another thread' };
  }
  return { threads: cores, why: `node "${heavy.name}" (${heavy.type}) does enough work a record to share it out` };
}

/** The whole graph, output shaping included, as one batch function, for a graph that `threadBlocker` accepts. */
export function threadedGraph(graph: Graph, stats: RunStats): (batch: Batch) => Batch {
  const nodes = graph.nodes.length === 0 ? null : syncStage(graph.nodes, graph.routes, stats);
  const shape = graph.output ? outputStage(graph.output, stats) : null;
  return (batch) => {
    const out = nodes ? nodes(batch) : batch;
    return shape ? shape(out) : out;
  };
}

export function composeStages(source: Highland.Stream<Batch>, stages: readonly Stage[]): Highland.Stream<Batch> {
  return stages.reduce((stream, stage) => stage(stream), source);
}

/**
 * The graph's nodes and its output shape as one stage, for every runner (run, worker,
 * the library). Compiled once; apply it to as many streams as needed.
 */
export function graphStage(graph: Graph, options: { ordered: boolean; stats: RunStats }): Stage {
  const stages = compileStages(graph, options);
  const shape = graph.output ? outputStage(graph.output, options.stats) : null;
  return (records) => {
    const out = composeStages(records, stages);
    return shape ? out.map(shape) : out;
  };
}

/** `source: {type: oasst}`: input lines are OASST messages or trees, turned into conversations first. */
export function sourceStage(graph: Graph, stats: RunStats): Stage {
  if (!graph.source) return (lines) => lines;
  const converter = new OasstConverter(graph.source);
  return oasstStage(converter, graph.entry, stats);
}
