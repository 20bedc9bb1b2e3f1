import type { ParquetWriter } from 'hyparquet-writer';

/** A Parquet schema element, as the writer takes it. */
type SchemaElement = NonNullable<ConstructorParameters<typeof ParquetWriter>[0]['schema']>[number];

/**
 * The shape of a column, inferred from the values of the first row group: a scalar, a
 * struct (an object: the union of the keys seen, in order of first sight), a list (of
 * one element shape), or JSON text where the values disagree (a string here, an object
 * there), which our reader parses back.
 */
export type Shape =
  | { kind: 'null' | 'string' | 'float64' | 'bool' | 'json'; explicitNull: boolean }
  | { kind: 'struct'; fields: Map<string, Shape>; explicitNull: boolean }
  | { kind: 'list'; element: Shape; explicitNull: boolean };

type Scalar = 'null' | 'string' | 'float64' | 'bool' | 'json';

/** The shape of one value. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return { kind: 'null', explicitNull: value === null };
  if (typeof value === 'string') return scalar('string');
  if (typeof value === 'boolean') return scalar('bool');
  // Every number is a float64: JSON has one number type, and a column of whole numbers in
  // the first rows may hold 0.25 later, when its type can no longer change.
  if (typeof value === 'number') return scalar('float64');
  if (Array.isArray(value)) {
    let element: Shape = { kind: 'null', explicitNull: false };
    for (const item of value) element = mergeShapes(element, shapeOf(item));
    return { kind: 'list', element, explicitNull: false };
  }
  if (typeof value === 'object') {
    const fields = new Map<string, Shape>();
    for (const [key, v] of Object.entries(value)) fields.set(key, shapeOf(v));
    return { kind: 'struct', fields, explicitNull: false };
  }
  return scalar('json');
}

function scalar(kind: Scalar): Shape {
  return { kind, explicitNull: false };
}

/** One shape that holds the values of both; where none does, JSON text. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  const explicitNull = a.explicitNull || b.explicitNull;
  if (a.kind === 'null') return { ...b, explicitNull };
  if (b.kind === 'null') return { ...a, explicitNull };
  if (a.kind === 'struct' && b.kind === 'struct') {
    // Keys in an order both sides agree with: a key only b has goes just before the next
    // of b's keys that a has (at the end when none follows), so records whose objects
    // leave out optional keys still read back in their own order. A field one side lacks
    // is absent there (not null).
    const order = [...a.fields.keys()];
    const keys = [...b.fields.keys()];
    keys.forEach((key, i) => {
      if (order.includes(key)) return;
      const next = keys.slice(i + 1).find((k) => order.includes(k));
      if (next === undefined) order.push(key);
      else order.splice(order.indexOf(next), 0, key);
    });
    const absent: Shape = { kind: 'null', explicitNull: false };
    const fields = new Map(order.map((key) => [key, mergeShapes(a.fields.get(key) ?? absent, b.fields.get(key) ?? absent)]));
    return { kind: 'struct', fields, explicitNull };
  }
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', element: mergeShapes(a.element, b.element), explicitNull };
  if (a.kind === b.kind) return { ...a, explicitNull };
  return { kind: 'json', explicitNull };
}

/** The shape of rows: a struct of their columns. */
export function shapeOfRows(rows: readonly Record<string, unknown>[], columns: readonly string[]): Map<string, Shape> {
  const out = new Map<string, Shape>(columns.map((c) => [c, { kind: 'null', explicitNull: false }]));
  for (const row of rows) for (const c of columns) out.set(c, mergeShapes(out.get(c)!, shapeOf(row[c])));
  return out;
}

/** Parquet schema elements for the columns (3-level LISTs, as Arrow and DuckDB write them). */
export function parquetSchema(columns: Map<string, Shape>): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.size }];
  for (const [name, shape] of columns) element(name, shape, out);
  return out;
}

function element(name: string, shape: Shape, out: SchemaElement[]): void {
  if (shape.kind === 'struct') {
    out.push({ name, repetition_type: 'OPTIONAL', num_children: shape.fields.size });
    for (const [field, s] of shape.fields) element(field, s, out);
  } else if (shape.kind === 'list') {
    out.push({ name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
    element('element', shape.element, out);
  } else if (shape.kind === 'float64') out.push({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
  else if (shape.kind === 'bool') out.push({ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' });
  else out.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
}

/**
 * Hugging Face `datasets` features for the columns, as it stores them in the `huggingface`
 * key of a Parquet file's metadata: scalars are Value(dtype), structs are dicts, and
 * lists are written as a one-element list (the form every version of `datasets` reads).
 */
export function huggingFaceFeatures(columns: Map<string, Shape>): Record<string, unknown> {
  return Object.fromEntries([...columns].map(([name, shape]) => [name, feature(shape)]));
}

function feature(shape: Shape): unknown {
  if (shape.kind === 'struct') return Object.fromEntries([...shape.fields].map(([k, s]) => [k, feature(s)]));
  if (shape.kind === 'list') return [feature(shape.element)];
  const dtype = shape.kind === 'json' || shape.kind === 'null' ? 'string' : shape.kind;
  return { dtype, _type: 'Value' };
}

/** The key of a Parquet file's metadata where we note how to read our records back exactly (a RoundTrip). */
export const PARQUET_ROUND_TRIP_KEY = 'sygra_stream';

/**
 * What our reader needs to give back exactly what was written, kept in the file's
 * `sygra` metadata: the paths written as JSON text, and the paths where a null means the
 * field was absent (no value there was written as null). A path is dotted, with `[]` for
 * a list's elements: `messages[].tool_calls`.
 */
export interface RoundTrip {
  json: string[];
  absent: string[];
}

export function roundTripOf(columns: Map<string, Shape>): RoundTrip {
  const trip: RoundTrip = { json: [], absent: [] };
  const walk = (path: string, shape: Shape): void => {
    if (!shape.explicitNull) trip.absent.push(path);
    if (shape.kind === 'json' || shape.kind === 'null') trip.json.push(path);
    else if (shape.kind === 'struct') for (const [k, s] of shape.fields) walk(`${path}.${k}`, s);
    else if (shape.kind === 'list') walkElement(`${path}[]`, shape.element);
  };
  // A list's element is never absent (a null element is a null): only its fields may be.
  const walkElement = (path: string, shape: Shape): void => {
    if (shape.kind === 'json' || shape.kind === 'null') trip.json.push(path);
    else if (shape.kind === 'struct') for (const [k, s] of shape.fields) walk(`${path}.${k}`, s);
    else if (shape.kind === 'list') walkElement(`${path}[]`, shape.element);
  };
  for (const [name, shape] of columns) walk(name, shape);
  return trip;
}

/**
 * A value made ready for its column: JSON-text paths stringified, text as `utf8` gives it
 * (UTF-8 bytes for the writer, or the string itself). A value that does not fit the shape fixed by the first row group is an error
 * naming the field.
 */
export function toColumnValue(value: unknown, shape: Shape, path: string, utf8: (text: string) => Uint8Array | string = (text) => text): unknown {
  if (value === null || value === undefined) return null;
  switch (shape.kind) {
    // A column that held only nulls in the first row group takes later values as JSON text.
    case 'json':
    case 'null':
      return utf8(JSON.stringify(value));
    case 'string':
      if (typeof value !== 'string') throw mismatch(path, 'strings', value);
      return utf8(value);
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(path, 'booleans', value);
      return value;
    case 'float64':
      if (typeof value !== 'number') throw mismatch(path, 'numbers', value);
      return value;
    case 'list':
      if (!Array.isArray(value)) throw mismatch(path, 'lists', value);
      return value.map((v) => toColumnValue(v, shape.element, `${path}[]`, utf8));
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(path, 'objects', value);
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) if (!shape.fields.has(key)) throw unknownField(`${path}.${key}`);
      const out: Record<string, unknown> = {};
      for (const [key, s] of shape.fields) out[key] = toColumnValue(object[key], s, `${path}.${key}`, utf8);
      return out;
    }
  }
}

/** A value of another type than its column's: `held` says what the column holds ("strings"). */
export function mismatch(path: string, held: string, value: unknown): Error {
  return new Error(`output field "${path}" held ${held} in the first row group, but ${JSON.stringify(value).slice(0, 40)} later; a Parquet column keeps one type (write NDJSON for such data)`);
}

/** A field of an object that the column's struct (fixed by the first row group) lacks. */
export function unknownField(path: string): Error {
  return new Error(`output field "${path}" was not in the first row group; a Parquet schema is fixed by then (write NDJSON, or give the first records the field)`);
}

/** Gives back a value as it was written: JSON text parsed, absent fields left out, INT64 (from other writers) as numbers. Objects and lists are changed in place. */
export function fromColumnValue(value: unknown, path: string, trip: { json: Set<string>; absent: Set<string> }): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return trip.json.has(path) ? JSON.parse(value) : value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) {
    const element = `${path}[]`;
    for (let i = 0; i < value.length; i++) value[i] = fromColumnValue(value[i], element, trip);
    return value;
  }
  if (typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    restoreFields(value as Record<string, unknown>, `${path}.`, trip);
    return value;
  }
  return value;
}

/** A record as read back from a row: see fromColumnValue; changed in place. */
export function restoreRecord(record: Record<string, unknown>, trip: { json: Set<string>; absent: Set<string> }): void {
  restoreFields(record, '', trip);
}

function restoreFields(object: Record<string, unknown>, prefix: string, trip: { json: Set<string>; absent: Set<string> }): void {
  for (const key in object) {
    const value = object[key];
    // A plain string or number needs nothing, unless its column holds JSON text.
    if (typeof value === 'number' || typeof value === 'boolean') continue;
    const path = prefix + key;
    if (typeof value === 'string') {
      if (trip.json.has(path)) object[key] = JSON.parse(value);
    } else if ((value === null || value === undefined) && trip.absent.has(path)) delete object[key];
    else object[key] = fromColumnValue(value, path, trip);
  }
}
