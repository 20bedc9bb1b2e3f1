import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { importFile } from '../config/import-module.js';
import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { within } from './time-limit.js';
import { defineNode, nodeSchema, type RecordFn } from './definition.js';

export const codeNode = defineNode({
  type: 'code',
  description:
    'Runs an exported JS function `(record, ctx) => record | record[] | null` (or a Promise of one): null drops, an array fans out; anything else (undefined, a Date, a value JSON cannot hold) fails the record.',
  schema: nodeSchema('code', 'Runs a JS function from a module.', {
    module: Type.String({ description: 'Path of an ES module, relative to the graph file.' }),
    export: withDefault(Type.String({ description: 'Name of the exported function.' }), 'default'),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        description: 'Records in flight at once (16 unless set). Setting it (or exporting an async function) runs the node asynchronously.',
      }),
    ),
    timeout_ms: withDefault(Type.Integer({ minimum: 1, description: 'An async function whose promise has not settled by then fails its record (the run goes on).' }), 60_000),
  }),
  async compile(config, ctx) {
    const file = isAbsolute(config.module) ? config.module : resolve(ctx.graphDir, config.module);
    try {
      await access(file);
    } catch {
      ctx.report(['module'], `module not found: ${file}`);
      return undefined;
    }
    let namespace: Record<string, unknown>;
    try {
      namespace = await importFile(file);
    } catch (err) {
      ctx.report(['module'], `module does not load: ${firstLine((err as Error).message)}`);
      return undefined;
    }
    const exportName = config.export;
    const fn = namespace[exportName];
    if (typeof fn !== 'function') {
      const found = Object.keys(namespace).filter((k) => typeof namespace[k] === 'function');
      ctx.report([ctx.written.export === undefined ? 'module' : 'export'], `${file} has no exported function "${exportName}"${found.length ? ` (exports: ${found.join(', ')})` : ''}`);
      return undefined;
    }
    const isAsync = fn.constructor.name === 'AsyncFunction' || config.concurrency !== undefined;
    if (!isAsync) return { run: fn as RecordFn, async: false, concurrency: 16 };
    const call = fn as RecordFn;
    const what = `${ctx.name}: ${exportName}()`;
    return { run: (record, rctx) => within(call(record, rctx), config.timeout_ms, what), async: true, concurrency: config.concurrency ?? 16 };
  },
});

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
}
