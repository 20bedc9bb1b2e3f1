import { Type } from '@sinclair/typebox';
import { deletePath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { compileExpression, type Expression } from './expression.js';
import { defineNode, nodeSchema } from './definition.js';

export const mapNode = defineNode({
  type: 'map',
  description: 'Sets fields from JS expressions over `record` (dotted paths allowed) and removes fields.',
  schema: nodeSchema('map', 'Sets and removes record fields.', {
    set: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Field path → JS expression. All expressions see the record as it entered the node.',
      }),
    ),
    unset: Type.Optional(Type.Array(Type.String(), { description: 'Field paths to remove (after `set`).' })),
  }),
  compile(config, rawCtx) {
    let problems = 0;
    const ctx = { report: (path: Array<string | number>, message: string) => (problems++, rawCtx.report(path, message)) };
    const assignments: Array<{ path: FieldPath; expr: Expression }> = [];
    for (const [field, source] of Object.entries(config.set ?? {})) {
      const path = parsePath(field);
      if ('error' in path) ctx.report(['set', field], path.error);
      const expr = compileExpression(source);
      if ('error' in expr) ctx.report(['set', field], expr.error);
      if (!('error' in path) && !('error' in expr)) assignments.push({ path, expr });
    }
    const removals: FieldPath[] = [];
    (config.unset ?? []).forEach((field, i) => {
      const path = parsePath(field);
      if ('error' in path) ctx.report(['unset', i], path.error);
      else removals.push(path);
    });
    if (assignments.length === 0 && removals.length === 0 && !config.set && !config.unset) {
      ctx.report([], 'a map node needs `set` or `unset`');
    }
    if (problems > 0) return undefined;
    // Only top-level fields set, none removed: the node changes nothing else (see CompiledNode.writes).
    const topLevel = removals.length === 0 && assignments.every((a) => a.path.length === 1);
    return {
      async: false,
      concurrency: 1,
      writes: topLevel ? assignments.map((a) => String(a.path[0])) : undefined,
      run(record, rctx) {
        // Evaluate everything first so that each expression sees the incoming record.
        const values = assignments.map((a) => a.expr(record, rctx));
        for (let i = 0; i < assignments.length; i++) setPath(record, assignments[i]!.path, values[i]);
        for (const path of removals) deletePath(record, path);
        return record;
      },
    };
  },
});
