import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { withDefault } from '../config/defaults.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import { ndjsonValues } from '../record/ndjson-text.js';
import { getPath, parsePath, setPath, type FieldPath } from '../record/path.js';
import { defineNode, Dropped, nodeSchema, problemTally } from './definition.js';

/** A side table is read whole into memory: this node is for labels and metadata, not for joining two datasets. */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

export const lookupNode = defineNode({
  type: 'lookup',
  description:
    "Joins a small NDJSON side table on a key: the row whose `key` equals the record's `on` field is copied into `into` (the last row wins, so the labels written by `sygra-stream view` join as they stand). Records without a row are kept as they are, or dropped.",
  schema: nodeSchema('lookup', 'Joins rows of an NDJSON side table into records.', {
    file: Type.String({ description: 'The NDJSON table, relative to the graph file (read once, at start; up to 256 MB).' }),
    key: withDefault(Type.String({ description: "Field of the table's rows to match on." }), 'id'),
    on: withDefault(Type.String({ description: 'Field of the record to match with (compared as text).' }), 'id'),
    into: Type.String({ description: 'Field that receives the matching row.' }),
    fields: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Only these fields of the row; without it, the whole row but its key.' })),
    missing: withDefault(Type.Union([Type.Literal('keep'), Type.Literal('drop')], { description: 'A record with no row: kept without `into`, or filtered.' }), 'keep'),
  }),
  async compile(config, ctx) {
    const problems = problemTally(ctx);
    const paths: Record<string, FieldPath> = {};
    for (const name of ['key', 'on', 'into'] as const) {
      const path = parsePath(config[name]);
      if ('error' in path) problems.report([name], path.error);
      else paths[name] = path;
    }
    const file = isAbsolute(config.file) ? config.file : resolve(ctx.graphDir, config.file);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.report(['file'], `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (text.length > MAX_TABLE_BYTES) problems.report(['file'], `${file} is larger than 256 MB; a lookup table is held in memory`);
    if (problems.count > 0) return undefined;
    const rows = new Map<string, JsonObject>();
    const parsed = ndjsonValues(text);
    if ('bad' in parsed) {
      problems.report(['file'], `${file}:${parsed.bad.line}: not JSON (${parsed.bad.message})`);
      return undefined;
    }
    for (const { value: row } of parsed.values) {
      if (!isJsonObject(row)) continue;
      const key = getPath(row, paths.key!);
      if (key === undefined || key === null) continue;
      rows.set(String(key), row);
    }
    const keyField = config.key;
    const pick = (row: JsonObject): JsonObject => {
      if (config.fields) return Object.fromEntries(config.fields.map((f) => [f, row[f] ?? null]));
      const { [keyField]: _key, ...rest } = row;
      return rest;
    };
    const into = paths.into!;
    return {
      async: false,
      concurrency: 1,
      writes: into.length === 1 ? into : undefined,
      run(record) {
        const value = getPath(record, paths.on!);
        const row = value === undefined || value === null ? undefined : rows.get(String(value));
        if (!row) return config.missing === 'drop' ? new Dropped(`no row in ${config.file} for ${config.on} ${JSON.stringify(value ?? null)}`) : record;
        setPath(record, into, pick(row));
        return record;
      },
    };
  },
});
