import { Type } from '@sinclair/typebox';
import { withComputedDefault, withDefault } from '../config/defaults.js';
import { DiskHashSet } from '../dedup/disk-hash-set.js';
import { ExactIndex } from '../dedup/exact-index.js';
import { LshIndex, lshShape } from '../dedup/lsh-index.js';
import { MinHasher } from '../dedup/minhash.js';
import { makeNormalizedHasher, makeNormalizer } from '../dedup/normalize.js';
import { makeTextReader } from '../dedup/record-text.js';
import { hyperplaneShape, VectorIndex } from '../dedup/vector-index.js';
import type { JsonObject } from '../record/item.js';
import { parsePath, setPath, type FieldPath } from '../record/path.js';
import { defineNode, Dropped, nodeSchema, type CompiledNode, problemTally } from './definition.js';
import { chooseModel } from './model-choice.js';

/** What the node found for one record: the line of the kept record it repeats, and how alike they are. */
interface Verdict {
  duplicateOf: number | null;
  /** Similarity to the closest earlier record looked at (1 for an exact repeat), or null when none was. */
  similarity: number | null;
}

const METHOD_KEYS = {
  exact: ['max_memory_mb', 'spill_dir'],
  minhash: ['shingle', 'k', 'permutations', 'bands'],
  semantic: ['model', 'index', 'max_kept', 'concurrency'],
} as const;

export const dedupNode = defineNode({
  type: 'dedup',
  description: 'Drops (or tags) records whose text repeats an earlier record: exactly, nearly (MinHash LSH), or in meaning (embeddings). The first occurrence in input order is kept.',
  schema: nodeSchema('dedup', 'Deduplication.', {
    method: withDefault(
      Type.Union([Type.Literal('exact'), Type.Literal('minhash'), Type.Literal('semantic')], {
        description: 'exact: same normalised text; minhash: Jaccard similarity of shingles; semantic: cosine similarity of embeddings.',
      }),
      'exact',
    ),
    field: withDefault(Type.String({ description: 'A text field, or a messages array.' }), 'messages'),
    turns: withDefault(Type.Union([Type.Literal('all'), Type.Literal('assistant'), Type.Literal('user')], { description: 'For a messages array: which turns are compared.' }), 'all'),
    mode: withDefault(Type.Union([Type.Literal('filter'), Type.Literal('tag')], { description: 'filter: drop duplicates; tag: keep all and write the output field.' }), 'filter'),
    output: withDefault(Type.String({ description: 'With mode tag: the field that receives {duplicate_of, similarity}.' }), 'dedup'),
    normalize: Type.Optional(
      Type.Object(
        {
          case: withDefault(Type.Boolean({ description: 'Lower-case.' }), true),
          whitespace: withDefault(Type.Boolean({ description: 'Collapse white space.' }), true),
          punctuation: withDefault(Type.Boolean({ description: 'Remove punctuation and symbols.' }), false),
          unicode: withDefault(Type.Boolean({ description: 'Unicode NFKC.' }), true),
        },
        { additionalProperties: false, description: 'exact, minhash: how text is normalised before it is compared.' },
      ),
    ),
    threshold: withComputedDefault(
      Type.Number({ minimum: 0, maximum: 1, description: 'minhash: Jaccard similarity; semantic: cosine similarity. At or above it, a duplicate.' }),
      'minhash 0.8, semantic 0.95',
    ),
    max_memory_mb: withDefault(Type.Number({ exclusiveMinimum: 0, description: 'exact: memory for the set of seen hashes.' }), 512),
    spill_dir: Type.Optional(Type.String({ description: 'exact: when the memory budget is full, go on with a set on disk in this folder (removed at exit). Without it, a full budget is an error.' })),
    shingle: withDefault(Type.Union([Type.Literal('word'), Type.Literal('char')], { description: 'minhash: word or character shingles.' }), 'word'),
    k: withComputedDefault(Type.Integer({ minimum: 1, maximum: 64, description: 'minhash: shingle length.' }), '3 words, or 5 characters'),
    permutations: withDefault(Type.Integer({ minimum: 16, maximum: 1024, description: 'minhash: signature length.' }), 128),
    bands: withComputedDefault(Type.Integer({ minimum: 1, description: 'minhash: LSH bands (rows = permutations / bands).' }), 'chosen for the threshold'),
    model: Type.Optional(Type.String({ description: 'semantic: the embedding model (from `models`).' })),
    index: withDefault(
      Type.Union([Type.Literal('lsh'), Type.Literal('exact')], {
        description: 'semantic: lsh: compare only vectors sharing a random-hyperplane band (a pair at the threshold is missed < 0.1% of the time); exact: compare with every kept vector.',
      }),
      'lsh',
    ),
    max_kept: withDefault(Type.Integer({ minimum: 1, description: 'semantic: most records the index keeps.' }), 200_000),
    concurrency: withComputedDefault(
      Type.Integer({ minimum: 1, maximum: 10000, description: 'semantic: records in flight (embedding requests overlap; decisions stay in input order).' }),
      "64, or the model's `concurrency` if higher",
    ),
  }),
  async compile(config, ctx) {
    const method = config.method;
    const problems = problemTally(ctx);
    const report = problems.report;
    for (const [other, keys] of Object.entries(METHOD_KEYS)) {
      if (other === method) continue;
      for (const key of keys) if (ctx.written[key] !== undefined) report([key], `\`${key}\` applies to method ${other}, not ${method}`);
    }
    if (method === 'semantic' && config.normalize) report(['normalize'], '`normalize` applies to methods exact and minhash; semantic compares the text as it is');
    if (method === 'exact' && config.threshold !== undefined) report(['threshold'], '`threshold` applies to methods minhash and semantic; exact matches are exact');
    const field = config.field;
    const fieldPath = parsePath(field);
    if ('error' in fieldPath) report(['field'], fieldPath.error);
    const outputPath = parsePath(config.output);
    if ('error' in outputPath) report(['output'], outputPath.error);
    const permutations = config.permutations;
    if (config.bands !== undefined && config.bands > permutations) report(['bands'], `bands (${config.bands}) cannot exceed permutations (${permutations})`);
    const modelName = method === 'semantic' ? chooseModel(config.model, ctx, 'an embedding model') : '';
    if (problems.count > 0 || modelName === null) return undefined;

    const readText = makeTextReader(fieldPath as FieldPath, field, config.turns);
    const normalize = makeNormalizer(config.normalize);
    const tag = config.mode === 'tag';
    const output = outputPath as FieldPath;
    const settle = (record: JsonObject, verdict: Verdict): JsonObject | Dropped => {
      if (tag) {
        setPath(record, output, { duplicate_of: verdict.duplicateOf, similarity: verdict.similarity });
        return record;
      }
      if (verdict.duplicateOf === null) return record;
      return new Dropped(`duplicate of line ${verdict.duplicateOf} (${method}, similarity ${round(verdict.similarity ?? 1)})`);
    };
    // Filters leave records untouched: those are written out as the bytes they came in as.
    const sync = (decide: (text: string, line: number) => Verdict): CompiledNode => ({
      async: false,
      concurrency: 1,
      mutates: tag,
      seesOtherRecords: true,
      run: (record, rctx) => settle(record, decide(normalize(readText(record)), rctx.line)),
    });

    if (method === 'exact') {
      const disk = config.spill_dir ? await DiskHashSet.open(config.spill_dir) : null;
      const index = new ExactIndex(config.max_memory_mb * 2 ** 20, disk);
      // The normalised text is hashed without being made (ASCII text, usual options).
      const hashNormalized = makeNormalizedHasher(config.normalize);
      const hash = new Uint32Array(2);
      return {
        async: false,
        concurrency: 1,
        mutates: tag,
        seesOtherRecords: true,
        run: (record, rctx) => {
          hashNormalized(readText(record), hash);
          const first = index.checkHash(hash, rctx.line);
          return settle(record, first === null ? { duplicateOf: null, similarity: null } : { duplicateOf: first, similarity: 1 });
        },
      };
    }

    if (method === 'minhash') {
      const threshold = config.threshold ?? 0.8;
      const shingle = config.shingle;
      const hasher = new MinHasher({ permutations, shingle, k: config.k ?? (shingle === 'word' ? 3 : 5), seed: ctx.seed });
      const shape = config.bands ? { bands: config.bands, rows: Math.floor(permutations / config.bands) } : lshShape(threshold, permutations);
      const index = new LshIndex(permutations, shape, threshold);
      return sync((text, line) => {
        const { duplicate, best } = index.match(hasher.signature(text), line);
        return duplicate ? { duplicateOf: duplicate.line, similarity: duplicate.similarity } : { duplicateOf: null, similarity: best };
      });
    }

    const threshold = config.threshold ?? 0.95;
    const client = ctx.models.get(modelName);
    const index = new VectorIndex(config.max_kept, config.index === 'exact' ? null : hyperplaneShape(threshold), ctx.seed);
    // Embeddings are fetched concurrently, but each record is compared with the kept set
    // only after every earlier record was: the first occurrence in input order is kept,
    // whatever order the answers come back in.
    let previous: Promise<unknown> = Promise.resolve();
    return {
      async: true,
      concurrency: config.concurrency ?? Math.max(64, client.spec.concurrency),
      mutates: tag,
      seesOtherRecords: true,
      run(record, rctx) {
        const embedding = client.embed(readText(record));
        const decided = previous
          .then(() => embedding)
          .then((vector) => {
            const nearest = index.nearest(vector);
            if (nearest && nearest.similarity >= threshold) return settle(record, { duplicateOf: nearest.line, similarity: round(nearest.similarity) });
            index.add(vector, rctx.line);
            return settle(record, { duplicateOf: null, similarity: nearest ? round(nearest.similarity) : null });
          });
        previous = decided.catch(() => undefined);
        return decided;
      },
    };
  },
});

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
