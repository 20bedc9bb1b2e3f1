import { Type } from '@sinclair/typebox';
import { compileExpression, preview } from './expression.js';
import { defineNode, Dropped, nodeSchema } from './definition.js';

export const filterNode = defineNode({
  type: 'filter',
  description: 'Keeps records for which a JS expression over `record` is truthy; drops (and counts) the rest.',
  schema: nodeSchema('filter', 'Keeps records for which `when` is truthy.', {
    when: Type.String({ description: 'JS expression over `record`, e.g. "record.prompt.length > 100".' }),
  }),
  compile(config, ctx) {
    const test = compileExpression(config.when);
    if ('error' in test) {
      ctx.report(['when'], test.error);
      return undefined;
    }
    const source = config.when;
    return {
      async: false,
      concurrency: 1,
      mutates: false,
      run(record, rctx) {
        const value = test(record, rctx);
        return value ? record : new Dropped(`when "${source}" was ${preview(value)}`);
      },
    };
  },
});
