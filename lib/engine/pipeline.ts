import type { Graph, GraphNode } from '../graph/graph.js';
import type { RunStats } from '../metrics/run-stats.js';
import { asyncStage } from './async-stage.js';
import type { Batch } from './item.js';
import { syncStage } from './sync-stage.js';

export type Stage = (upstream: Highland.Stream<Batch>) => Highland.Stream<Batch>;

/**
 * Lays the graph's nodes out as stages on one line, in topological order: consecutive
 * synchronous nodes fuse into one batch map; each async node gets a windowed stage.
 */
export function compileStages(graph: Graph, options: { ordered: boolean; stats: RunStats }): Stage[] {
  const stages: Stage[] = [];
  let run: GraphNode[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const fn = syncStage(run, graph.next, options.stats);
    stages.push((s) => s.map(fn));
    run = [];
  };
  for (const node of graph.nodes) {
    if (!node.compiled.async) {
      run.push(node);
      continue;
    }
    flush();
    stages.push(asyncStage(node, graph.next.get(node.name) ?? null, options));
  }
  flush();
  return stages;
}

export function composeStages(source: Highland.Stream<Batch>, stages: readonly Stage[]): Highland.Stream<Batch> {
  return stages.reduce((stream, stage) => stage(stream), source);
}
