import type { GraphNode, Route } from '../graph/graph.js';
import { RunStats } from '../metrics/run-stats.js';
import type { Batch, Item } from '../record/item.js';
import { fail, settle } from './settle.js';

/**
 * Fuses consecutive synchronous nodes into one batch function. Nodes are in topological
 * order and routes only go forward, so the loop runs node by node over the whole batch:
 * one timer pair per node per batch, one function call per record.
 */
export function syncStage(nodes: readonly GraphNode[], routes: ReadonlyMap<string, Route>, stats: RunStats, uncounted: ReadonlySet<string> = new Set()) {
  // A composite node (a fan-out) counts its inner nodes itself; its own counters go nowhere.
  const scratch = new RunStats();
  const steps = nodes.map((n) => ({
    name: n.name,
    run: n.compiled.run,
    mutates: n.compiled.mutates !== false,
    writes: n.compiled.writes ?? null,
    route: routes.get(n.name)!,
    stats: (uncounted.has(n.name) ? scratch : stats).node(n.name),
    latency: (uncounted.has(n.name) ? scratch : stats).latency(n.name),
  }));
  return (batch: Batch): Batch => {
    let items = batch;
    for (const step of steps) {
      const started = performance.now();
      const before = step.stats.in;
      const out: Item[] = [];
      for (const item of items) {
        if (item.outcome !== undefined || item.route !== step.name) {
          out.push(item);
          continue;
        }
        step.stats.in++;
        try {
          // Checked before the node runs: only fields the record did not have can be appended to its line.
          const appends = step.writes !== null && item.bytes !== undefined && !step.writes.some((f) => Object.hasOwn(item.record, f)) ? step.writes : null;
          settle(item, step.name, step.route, step.run(item.record, { node: step.name, line: item.line, seq: item.seq }), step.stats, out, step.mutates, appends);
        } catch (err) {
          fail(item, step.name, err, step.stats);
          out.push(item);
        }
      }
      if (out.length !== items.length) stats.grew(out.length - items.length);
      items = out;
      const elapsed = performance.now() - started;
      step.stats.time_ms += elapsed;
      const ran = step.stats.in - before;
      if (ran > 0) step.latency.record(elapsed / ran, ran);
    }
    return items;
  };
}
