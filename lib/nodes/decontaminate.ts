import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { NgramIndex } from '../dedup/ngram-index.js';
import { makeTextReader } from '../dedup/record-text.js';
import { parquetRecordBatches } from '../io/formats.js';
import { isJsonObject } from '../record/item.js';
import { ndjsonValues } from '../record/ndjson-text.js';
import { getPath, parsePath, setPath } from '../record/path.js';
import { defineNode, Dropped, nodeSchema, problemTally } from './definition.js';

/** Bumped when the index's normalisation or hashing changes: older cached indexes are then rebuilt. */
const INDEX_VERSION = 1;

export const decontaminateNode = defineNode({
  type: 'decontaminate',
  description:
    "Finds records that copy a benchmark: word n-grams (13 by default, as GPT-3's and NeMo Curator's decontamination) of the record's text, after dedup's normalisation, looked up in an index of reference sets; filters such records (naming the benchmark and the matched words) or tags them.",
  schema: nodeSchema('decontaminate', 'Finds records that overlap benchmark texts.', {
    references: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'The benchmark, as records and --rejected name it.' }),
          file: Type.String({ description: 'Its texts: JSONL or Parquet, relative to the graph file.' }),
          field: Type.String({ description: "The field of the file's rows that holds the text (dotted paths allowed)." }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 255, description: "The reference sets, indexed once at start (and kept in the run's --cache-dir, under decontamination/, by their content hash)." },
    ),
    field: withDefault(Type.String({ description: "The record's text: a string field, or a messages array (all its turns)." }), 'messages'),
    n: withDefault(Type.Integer({ minimum: 3, maximum: 50, description: 'Words per n-gram.' }), 13),
    min_words: withDefault(Type.Integer({ minimum: 1, maximum: 50, description: 'References with fewer words are left out; those between it and n are matched whole.' }), 8),
    mode: withDefault(Type.Union([Type.Literal('filter'), Type.Literal('tag')], { description: 'Drop records that overlap, or add the overlaps to them.' }), 'filter'),
    output: withDefault(Type.String({ description: 'With mode tag: the field that receives [{benchmark, span}] (clean records get nothing).' }), 'contamination'),
  }),
  async compile(config, ctx) {
    const problems = problemTally(ctx);
    const fieldPath = parsePath(config.field);
    if ('error' in fieldPath) problems.report(['field'], fieldPath.error);
    const outputPath = parsePath(config.output);
    if ('error' in outputPath) problems.report(['output'], outputPath.error);
    if (config.min_words > config.n) problems.report(['min_words'], `min_words (${config.min_words}) is above n (${config.n})`);
    const sources: Array<{ name: string; path: string; field: string[]; bytes: Buffer }> = [];
    for (const [i, ref] of config.references.entries()) {
      const path = isAbsolute(ref.file) ? ref.file : resolve(ctx.graphDir, ref.file);
      const field = parsePath(ref.field);
      if ('error' in field) problems.report(['references', i, 'field'], field.error);
      try {
        sources.push({ name: ref.name, path, field: 'error' in field ? [] : [...field], bytes: await readFile(path) });
      } catch (err) {
        problems.report(['references', i, 'file'], `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    if (problems.count > 0 || 'error' in fieldPath || 'error' in outputPath) return undefined;
    let index: NgramIndex;
    try {
      index = await loadOrBuild(sources, config.n, config.min_words, ctx.models.cacheDir);
    } catch (err) {
      problems.report(['references'], (err as Error).message);
      return undefined;
    }
    if (index.tooShort > 0) ctx.warn(['min_words'], `${index.tooShort} reference texts have fewer than ${config.min_words} words and are left out`);
    const names = sources.map((s) => s.name);
    const text = makeTextReader(fieldPath, config.field, 'all', 'decontaminate');
    return {
      async: false,
      concurrency: 1,
      heavy: true,
      // A clean record is written back as the very line it came from.
      mutates: config.mode === 'tag',
      writes: config.mode === 'tag' && outputPath.length === 1 ? outputPath : undefined,
      run(record) {
        const found = index.find(text(record));
        if (found.length === 0) return record;
        if (config.mode === 'filter') {
          const first = found[0]!;
          return new Dropped(`overlaps ${names[first.benchmark]} (row ${first.row + 1}) on ${JSON.stringify(first.span)}`);
        }
        setPath(
          record,
          outputPath,
          found.map((f) => ({ benchmark: names[f.benchmark]!, span: f.span })),
        );
        return record;
      },
    };
  },
});

/**
 * The index for these reference sets: from the run's cache folder (--cache-dir) when their
 * content was indexed before, else built, and kept there (not with --no-cache).
 */
async function loadOrBuild(sources: ReadonlyArray<{ name: string; path: string; field: string[]; bytes: Buffer }>, n: number, minWords: number, cacheDir: string | null): Promise<NgramIndex> {
  const hash = createHash('sha256').update(JSON.stringify({ INDEX_VERSION, n, minWords }));
  for (const s of sources) hash.update(JSON.stringify([s.name, s.field])).update(s.bytes);
  const dir = cacheDir === null ? null : join(cacheDir, 'decontamination');
  const cached = dir === null ? null : join(dir, `${hash.digest('hex')}.idx`);
  if (cached) {
    try {
      return NgramIndex.deserialize(await readFile(cached));
    } catch {
      // Not there (or unreadable): built below.
    }
  }
  const index = new NgramIndex(n, minWords);
  for (const [b, source] of sources.entries()) {
    let row = 0;
    const add = (value: unknown): void => {
      const text = isJsonObject(value) ? getPath(value, source.field) : undefined;
      if (typeof text === 'string') index.add(text, b, row);
      row++;
    };
    if (source.path.toLowerCase().endsWith('.parquet')) {
      for await (const rows of parquetRecordBatches(source.path)) for (const r of rows) add(r);
    } else {
      const parsed = ndjsonValues(source.bytes.toString('utf8'));
      if ('bad' in parsed) throw new Error(`${source.path}:${parsed.bad.line}: not JSON (${parsed.bad.message})`);
      for (const { value } of parsed.values) add(value);
    }
  }
  if (dir && cached) {
    // Written beside, then renamed: a reader never sees half an index.
    await mkdir(dir, { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    await writeFile(temp, index.serialize());
    await rename(temp, cached);
  }
  return index;
}
