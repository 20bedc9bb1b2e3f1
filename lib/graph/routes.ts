import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileExpression } from '../nodes/expression.js';
import { END, type CompiledLoop, type Route } from './graph.js';
import type { LoopSpec, RouteSpec } from './topology.js';

type Report = (path: Array<string | number>, message: string) => void;

/** Compiles an edge's routing: conditions, or a router module; problems go to `report` at the edge. */
export async function compileRoute(from: string, spec: RouteSpec, names: ReadonlySet<string>, dir: string, report: Report): Promise<Route | undefined> {
  if (spec.kind === 'static') {
    const to = spec.to;
    return () => to;
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
  const file = isAbsolute(spec.module) ? spec.module : resolve(dir, spec.module);
  try {
    await access(file);
  } catch {
    report(['edges', spec.edge, 'router', 'module'], `module not found: ${file}`);
    return undefined;
  }
  let fn: unknown;
  try {
    fn = ((await import(pathToFileURL(file).href)) as Record<string, unknown>)[spec.export];
  } catch (err) {
    report(['edges', spec.edge, 'router', 'module'], `module does not load: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
  if (typeof fn !== 'function') {
    report(['edges', spec.edge, 'router'], `${file} has no exported function "${spec.export}"`);
    return undefined;
  }
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
