import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { withComputedDefault } from '../config/defaults.js';
import { sha256 } from '../llm/canonical.js';
import { seededRandom } from '../random/seeded.js';
import { parsePath, setPath } from '../record/path.js';
import { defineNode, nodeSchema } from './definition.js';

export const samplerNode = defineNode({
  type: 'sampler',
  description: 'Picks from values, or from records in a JSONL file, by weight; seeded per record (from --seed and the record id), so output is the same whatever the concurrency.',
  schema: nodeSchema('sampler', 'Seeded weighted choice.', {
    values: Type.Optional(Type.Array(Type.Unknown(), { minItems: 1, description: 'The choices.' })),
    from: Type.Optional(Type.String({ description: 'A JSONL file of choices (one JSON value per line), relative to the graph file.' })),
    weights: withComputedDefault(Type.Array(Type.Number({ minimum: 0 }), { description: 'One weight per choice.' }), 'equal'),
    count: withComputedDefault(Type.Integer({ minimum: 1, description: 'Pick this many distinct choices (an array).' }), 'one value, not an array'),
    output: Type.String({ description: 'Field that receives the choice.' }),
  }),
  async compile(config, ctx) {
    if ((config.values === undefined) === (config.from === undefined)) {
      ctx.report([], 'a sampler needs exactly one of `values` or `from`');
      return undefined;
    }
    let choices: unknown[];
    if (config.values) choices = config.values;
    else {
      const file = isAbsolute(config.from!) ? config.from! : resolve(ctx.graphDir, config.from!);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        ctx.report(['from'], `cannot read ${file}`);
        return undefined;
      }
      choices = [];
      for (const [i, line] of text.split('\n').entries()) {
        if (line.trim() === '') continue;
        try {
          choices.push(JSON.parse(line));
        } catch {
          ctx.report(['from'], `${file}:${i + 1}: not JSON`);
          return undefined;
        }
      }
      if (choices.length === 0) {
        ctx.report(['from'], `${file} holds no choices`);
        return undefined;
      }
    }
    const weights = config.weights ?? choices.map(() => 1);
    if (weights.length !== choices.length) {
      ctx.report(['weights'], `${weights.length} weights for ${choices.length} choices`);
      return undefined;
    }
    if (!weights.some((w) => w > 0)) {
      ctx.report(['weights'], 'at least one weight must be above 0');
      return undefined;
    }
    const count = config.count ?? 1;
    if (count > weights.filter((w) => w > 0).length) {
      ctx.report(['count'], `cannot pick ${count} distinct choices from ${weights.filter((w) => w > 0).length}`);
      return undefined;
    }
    const output = parsePath(config.output);
    if ('error' in output) {
      ctx.report(['output'], output.error);
      return undefined;
    }
    const seed = ctx.seed;
    const name = ctx.name;
    return {
      async: false,
      concurrency: 1,
      run(record, rctx) {
        // Randomness from the seed, the node and the record's identity: never from arrival order.
        const identity = record.id !== undefined && (typeof record.id === 'string' || typeof record.id === 'number') ? `id:${record.id}` : `seq:${rctx.seq}`;
        const rand = seededRandom(sha256(`${seed}\u0000${name}\u0000${identity}`));
        const left = [...weights];
        const picked: unknown[] = [];
        for (let k = 0; k < count; k++) {
          const total = left.reduce((a, b) => a + b, 0);
          let r = rand() * total;
          let i = 0;
          while (i < left.length - 1 && (r >= left[i]! || left[i] === 0)) {
            r -= left[i]!;
            i++;
          }
          picked.push(structuredClone(choices[i]));
          left[i] = 0;
        }
        setPath(record, output, count === 1 && config.count === undefined ? picked[0] : picked);
        return record;
      },
    };
  },
});
