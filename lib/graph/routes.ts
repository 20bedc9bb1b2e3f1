import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { importFile } from '../config/import-module.js';
import { compileExpression } from '../nodes/expression.js';
import { END, type CompiledFanout, type CompiledLoop, type JoinFunction, type Route } from './graph.js';
import type { FanoutSpec } from './fanout-topology.js';
import type { LoopSpec, RouteSpec } from './topology.js';

type Report = (path: Array<string | number>, message: string) => void;

/** Compiles an edge's routing: conditions, or a router module; problems go to `report` at the edge. */
export async function compileRoute(from: string, spec: RouteSpec, names: ReadonlySet<string>, dir: string, report: Report): Promise<Route | undefined> {
  if (spec.kind === 'static') {
    const to = spec.to;
    return () => to;
  }
  if (spec.kind === 'fanout') {
    // The branches run as one block on the bus, named after the first branch.
    const block = spec.to[0]!;
    return () => block;
  }
  if (spec.kind === 'conditional') {
    const branches: Array<{ to: string | null; test: (r: never, c: never) => unknown }> = [];
    for (const b of spec.branches) {
      const test = compileExpression(b.when);
      if ('error' in test) report(['edges', spec.edge, 'to', b.to ?? END], test.error);
      else branches.push({ to: b.to, test: test as never });
    }
    if (branches.length < spec.branches.length) return undefined;
    const labels = spec.branches.map((b) => b.to ?? END).join(', ');
    return (record, ctx) => {
      for (const b of branches) if ((b.test as (r: typeof record, c: typeof ctx) => unknown)(record, ctx)) return b.to;
      return { error: `no branch of the edge from "${from}" matched (${labels})` };
    };
  }
  const fn = await loadFunction(spec.module, spec.export, dir, report, ['edges', spec.edge, 'router']);
  if (!fn) return undefined;
  const router = fn as (record: unknown, ctx: unknown) => unknown;
  return (record, ctx) => {
    const name = router(record, ctx);
    if (name === END || name === null) return null;
    if (typeof name === 'string' && names.has(name)) return name;
    return { error: `router of "${from}" returned ${JSON.stringify(name)}, which is not a node or END` };
  };
}

export function compileLoop(spec: LoopSpec, report: Report): CompiledLoop | undefined {
  let until: CompiledLoop['until'] = null;
  if (spec.until !== null) {
    const e = compileExpression(spec.until);
    if ('error' in e) {
      report(['edges', spec.edge, 'until'], e.error);
      return undefined;
    }
    until = e;
  }
  return { head: spec.head, tail: spec.tail, max: spec.max, until, untilSource: spec.until, onMax: spec.onMax, body: spec.body };
}

/** A function exported by a module named relative to the graph file; problems go to `report` at `path`. */
async function loadFunction(module: string, name: string, dir: string, report: Report, path: Array<string | number>): Promise<((...args: unknown[]) => unknown) | undefined> {
  const file = isAbsolute(module) ? module : resolve(dir, module);
  try {
    await access(file);
  } catch {
    report([...path, 'module'], `module not found: ${file}`);
    return undefined;
  }
  let fn: unknown;
  try {
    fn = (await importFile(file))[name];
  } catch (err) {
    report([...path, 'module'], `module does not load: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
  if (typeof fn !== 'function') {
    report(path, `${file} has no exported function "${name}"`);
    return undefined;
  }
  return fn as (...args: unknown[]) => unknown;
}

/** A fan-out with its join compiled: a merge module loaded. */
export async function compileFanout(spec: FanoutSpec, dir: string, report: Report): Promise<CompiledFanout | undefined> {
  const { merge } = spec.policy;
  let mergeFn: CompiledFanout['merge'];
  if (typeof merge === 'string') mergeFn = merge;
  else {
    const fn = await loadFunction(merge.module, merge.export, dir, report, ['edges', spec.joinEdge, 'join', 'merge']);
    if (!fn) return undefined;
    mergeFn = fn as JoinFunction;
  }
  return {
    from: spec.from,
    heads: spec.heads,
    join: spec.join,
    branches: spec.branches,
    merge: mergeFn,
    onBranchError: spec.policy.onBranchError,
    onBranchFiltered: spec.policy.onBranchFiltered,
    mergeName: typeof merge === 'string' ? merge : `${merge.module}#${merge.export}`,
  };
}
