import { callSites, runAt } from '../record/trace.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import type { CompiledLoop, GraphNode, Route } from '../graph/graph.js';
import type { RunStats } from '../metrics/run-stats.js';
import { enterInner } from './inner-call.js';
import { Dropped, NodeFailure, Routed, type CompiledNode, type RecordContext, type RecordFn } from '../nodes/definition.js';

/**
 * A bounded loop as one async node: the body runs per record, round after round, so a
 * record in its fifth round holds up no other record. The inner nodes keep their own
 * counts in --stats. A record leaves with the route the loop decided (Routed).
 */
export function loopNode(loop: CompiledLoop, nodes: ReadonlyMap<string, GraphNode>, routes: ReadonlyMap<string, Route>, stats: RunStats): CompiledNode {
  const body = new Set(loop.body);
  const concurrency = Math.max(...loop.body.map((n) => (nodes.get(n)!.compiled.async ? nodes.get(n)!.compiled.concurrency : 1)), 16);
  // The loop's run may return Routed, which only settle() understands.
  const run = async (start: JsonObject, outer: RecordContext): Promise<Dropped | Routed> => {
    let record: JsonObject = start;
    let current = loop.head;
    let rounds = 0;
    for (;;) {
      const node = nodes.get(current)!;
      const ctx: RecordContext = { ...outer, node: current };
      const call = enterInner(stats, current);
      const counts = call.counts;
      let result: unknown;
      try {
        result = await runAt({ node: current, line: outer.line, id: callSites.getStore()?.id }, () => node.compiled.run(record, ctx));
      } catch (err) {
        call.leave(true);
        throw new NodeFailure(current, err instanceof Error ? err.message : String(err));
      }
      call.leave(false);
      if (result === null || result === undefined || result instanceof Dropped) {
        counts.filtered++;
        return result instanceof Dropped ? new Dropped(`${current}: ${result.reason}`) : new Dropped(`${current}: returned null`);
      }
      if (!isJsonObject(result)) {
        counts.errors++;
        throw new NodeFailure(current, Array.isArray(result) ? 'fan-out (an array) is not supported inside a loop' : `returned ${typeof result}; expected an object`);
      }
      counts.out++;
      record = result;
      if (current === loop.tail) {
        rounds++;
        if (loop.until?.(record, ctx)) return exit(current, record, ctx);
        if (rounds >= loop.max) {
          if (loop.onMax === 'error') throw new NodeFailure(current, `loop ${loop.head} … ${loop.tail} used all ${loop.max} rounds`);
          if (loop.onMax === undefined) return exit(current, record, ctx);
          return new Routed(record, loop.onMax);
        }
        current = loop.head;
        continue;
      }
      const next = routes.get(current)!(record, ctx);
      if (next !== null && typeof next === 'object') throw new NodeFailure(current, next.error);
      if (next !== null && body.has(next)) current = next;
      else return new Routed(record, next);
    }
  };
  return { async: true, concurrency, run: run as unknown as RecordFn };

  function exit(tail: string, record: JsonObject, ctx: RecordContext): Routed {
    const next = routes.get(tail)!(record, ctx);
    if (next !== null && typeof next === 'object') throw new NodeFailure(tail, next.error);
    return new Routed(record, next);
  }
}
