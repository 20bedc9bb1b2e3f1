import { isJsonObject, type JsonObject } from './item.js';

/** Dotted record paths (`a.b.c`), split once at compile time. */
export type FieldPath = readonly string[];

export function parsePath(dotted: string): FieldPath | { error: string } {
  const parts = dotted.split('.');
  if (parts.some((p) => p === '')) return { error: `"${dotted}" is not a valid field path (empty segment)` };
  if (parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) {
    return { error: `"${dotted}" names a reserved property` };
  }
  return parts;
}

export function getPath(record: JsonObject, path: FieldPath): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (!isJsonObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Sets a value, creating intermediate objects; arrays are stepped through by index; anything else in the way is replaced. */
export function setPath(record: JsonObject, path: FieldPath, value: unknown): void {
  let target: JsonObject = record;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = target[key];
    if (isJsonObject(next)) target = next;
    else if (Array.isArray(next)) target = next as unknown as JsonObject;
    else {
      const created: JsonObject = {};
      target[key] = created;
      target = created;
    }
  }
  target[path[path.length - 1]!] = value;
}

export function deletePath(record: JsonObject, path: FieldPath): void {
  const parent = path.length === 1 ? record : getPath(record, path.slice(0, -1));
  if (isJsonObject(parent)) delete parent[path[path.length - 1]!];
}
