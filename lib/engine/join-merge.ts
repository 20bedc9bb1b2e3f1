import { isJsonObject, type JsonObject } from '../record/item.js';

/** What one branch delivered to the join: its record, named by the branch's first node. */
export interface Delivered {
  readonly head: string;
  readonly record: JsonObject;
}

/** The merged record, or why the branches cannot be merged. */
export type Merged = { record: JsonObject } | { conflict: string };

/** A change one branch made, as a tree: a value set, a field deleted, or changes inside an object. */
type Patch = { kind: 'set'; value: unknown; by: string } | { kind: 'delete'; by: string } | { kind: 'fields'; fields: Map<string, Patch>; by: string };

/**
 * `merge: deep`: the record as it left the fan-out, with the fields each branch set,
 * changed or deleted, nested objects merged field by field. Two branches that change one
 * field to different values are a conflict, named by the field's path. The input itself is
 * returned when no branch changed anything, so its line can be written as it came; with
 * `addInPlace`, also when the branches only added top-level fields, which are set on it.
 */
export function mergeDeep(input: JsonObject, delivered: readonly Delivered[], options: { addInPlace?: boolean } = {}): Merged {
  let merged: Patch | null = null;
  for (const d of delivered) {
    const patch = diff(input, d.record, d.head);
    if (patch === null) continue;
    if (merged === null) merged = patch;
    else {
      const conflict = combine(merged, patch, []);
      if (conflict !== null) return { conflict };
    }
  }
  if (merged === null) return { record: input };
  // Only new top-level fields: added to the input itself, so that its line can be written with them appended.
  if (options.addInPlace && merged.kind === 'fields' && [...merged.fields].every(([key, p]) => p.kind === 'set' && !Object.hasOwn(input, key))) {
    for (const [key, p] of merged.fields) input[key] = (p as { value: JsonObject[string] }).value;
    return { record: input };
  }
  return { record: apply(input, merged) as JsonObject };
}

/**
 * `merge: branches`: the record as it left the fan-out, with each branch's record under its
 * first node's name. A field of that name already in the record is a conflict.
 */
export function mergeBranches(input: JsonObject, delivered: readonly Delivered[]): Merged {
  const out: JsonObject = { ...input };
  for (const d of delivered) {
    if (Object.hasOwn(input, d.head)) return { conflict: `the record already has a field "${d.head}", where merge: branches puts that branch's record` };
    out[d.head] = d.record;
  }
  return { record: out };
}

function diff(before: unknown, after: unknown, by: string): Patch | null {
  if (before === after) return null;
  if (isJsonObject(before) && isJsonObject(after)) {
    const fields = new Map<string, Patch>();
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) fields.set(key, { kind: 'set', value: after[key], by });
      else {
        const d = diff(before[key], after[key], by);
        if (d !== null) fields.set(key, d);
      }
    }
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) fields.set(key, { kind: 'delete', by });
    return fields.size === 0 ? null : { kind: 'fields', fields, by };
  }
  return sameJson(before, after) ? null : { kind: 'set', value: after, by };
}

/** Folds `next` into `into`; returns a conflict's description, or null. */
function combine(into: Patch, next: Patch, path: string[]): string | null {
  if (into.kind === 'fields' && next.kind === 'fields') {
    for (const [key, p] of next.fields) {
      const have = into.fields.get(key);
      if (have === undefined) into.fields.set(key, p);
      else {
        const conflict = combine(have, p, [...path, key]);
        if (conflict !== null) return conflict;
      }
    }
    return null;
  }
  if (into.kind === 'set' && next.kind === 'set' && sameJson(into.value, next.value)) return null;
  if (into.kind === 'delete' && next.kind === 'delete') return null;
  return `branches "${into.by}" and "${next.by}" set "${path.join('.')}" differently (merge: deep takes a field from one branch, or from several that agree)`;
}

function apply(base: unknown, patch: Patch): unknown {
  if (patch.kind === 'set') return patch.value;
  // A deletion is applied by its parent object.
  if (patch.kind === 'delete') return undefined;
  const out: JsonObject = { ...(base as JsonObject) };
  for (const [key, p] of patch.fields) {
    if (p.kind === 'delete') delete out[key];
    else out[key] = apply(out[key], p) as JsonObject[string];
  }
  return out;
}

/** Equal as JSON values (key order aside). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
