import { isAbsolute, relative, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { withComputedDefault, withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { parsePath, setPath } from '../record/path.js';
import { ConfigError } from '../config/problems.js';
import { compileExpression, type Expression } from './expression.js';
import { defineNode, Dropped, nodeSchema, type CompiledNode, type Routed, type RecordContext } from './definition.js';
import type { Graph } from '../graph/graph.js';
import { RunStats } from '../metrics/run-stats.js';

/** Loads another graph file; set by the graph loader (which this module cannot import without a cycle). */
export type IncludeGraph = (file: string) => Promise<Graph>;

export const subgraphNode = defineNode({
  type: 'subgraph',
  description: 'Runs another graph file on each record (validated with it; include cycles are rejected): inputs map fields in, outputs map fields back.',
  schema: nodeSchema('subgraph', 'Another graph as one node.', {
    graph: Type.String({ description: 'Graph file, relative to this one.' }),
    inputs: withComputedDefault(Type.Record(Type.String(), Type.String(), { description: 'Field of the inner record → expression over the outer `record`.' }), 'the whole record'),
    outputs: withComputedDefault(
      Type.Record(Type.String(), Type.String(), { description: 'Field of the outer record → expression over the inner result `record`.' }),
      'the result replaces the record',
    ),
    concurrency: withDefault(Type.Integer({ minimum: 1, maximum: 10000, description: 'Records in the inner graph at once.' }), 16),
  }),
  async compile(config, ctx) {
    const absolute = isAbsolute(config.graph) ? config.graph : resolve(ctx.graphDir, config.graph);
    // Problems in the included file are reported with a path as short as the user's own.
    const near = relative(process.cwd(), absolute);
    const file = near.startsWith('..') ? absolute : near;
    let inner: Graph;
    try {
      inner = await ctx.include(file);
    } catch (err) {
      if (err instanceof ConfigError) ctx.reportForeign(err.problems);
      else ctx.report(['graph'], (err as Error).message);
      return undefined;
    }
    let problems = 0;
    const compileMap = (key: 'inputs' | 'outputs'): Array<{ path: string[]; expr: Expression }> | undefined => {
      if (!config[key]) return undefined;
      const out: Array<{ path: string[]; expr: Expression }> = [];
      for (const [field, source] of Object.entries(config[key]!)) {
        const path = parsePath(field);
        const expr = compileExpression(source);
        if ('error' in path) problems++, ctx.report([key, field], path.error);
        else if ('error' in expr) problems++, ctx.report([key, field], expr.error);
        else out.push({ path: [...path], expr });
      }
      return out;
    };
    const inputs = compileMap('inputs');
    const outputs = compileMap('outputs');
    if (problems > 0) return undefined;
    const runInner = walker(inner);
    return {
      async: true,
      concurrency: config.concurrency,
      async run(record, rctx) {
        let sub: JsonObject = record;
        if (inputs) {
          sub = {};
          for (const i of inputs) setPath(sub, i.path, i.expr(record, rctx));
        }
        const result = await runInner(inputs ? sub : structuredClone(record), rctx);
        if (result instanceof Dropped) return new Dropped(`subgraph ${config.graph}: ${result.reason}`);
        if (!outputs) return result;
        for (const o of outputs) setPath(record, o.path, o.expr(result, rctx));
        return record;
      },
    };
  },
});

/** Runs one record through a whole graph, node by node along its routes and loops. */
function walker(graph: Graph): (record: JsonObject, ctx: RecordContext) => Promise<JsonObject | Dropped> {
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  const stats = new RunStats();
  const compiledFanouts = new Map<string, CompiledNode>();
  return async (start, outer) => {
    const { loopNode } = await import('../engine/loop-runner.js');
    const { fanoutNode } = await import('../engine/fanout-runner.js');
    let record = start;
    let current = graph.entry;
    while (current !== null) {
      const loop = graph.loops.find((l) => l.head === current);
      const fanout = graph.fanouts.find((f) => f.heads[0] === current);
      const ctx = { ...outer, node: current };
      if (fanout) {
        let block = compiledFanouts.get(current);
        if (!block) compiledFanouts.set(current, (block = fanoutNode(fanout, nodes, graph.routes, graph.loops, stats)));
        const result = await block.run(record, ctx);
        if (result === null || result instanceof Dropped) return result ?? new Dropped(`${current}: returned null`);
        record = result as JsonObject;
        current = fanout.join;
        continue;
      }
      if (loop) {
        const result = (await loopNode(loop, nodes, graph.routes, stats).run(record, ctx)) as unknown;
        if (result instanceof Dropped) return result;
        const routed = result as Routed;
        record = routed.record;
        current = routed.to;
        continue;
      }
      const result = await nodes.get(current)!.compiled.run(record, ctx);
      if (result === null || result instanceof Dropped) return result ?? new Dropped(`${current}: returned null`);
      if (!isJsonObject(result)) throw new Error(`${current}: ${Array.isArray(result) ? 'fan-out (an array) is not supported inside a subgraph' : 'did not return an object'}`);
      record = result;
      const next = graph.routes.get(current)!(record, ctx);
      if (next !== null && typeof next === 'object') throw new Error(next.error);
      current = next;
    }
    return record;
  };
}
