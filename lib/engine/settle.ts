import { Dropped, NodeFailure, Routed, type NodeResult } from '../nodes/definition.js';
import { copyTrace } from '../record/trace.js';
import type { NodeStats } from '../metrics/run-stats.js';
import type { Route } from '../graph/graph.js';
import { isJsonObject, type Item, type JsonObject } from '../record/item.js';

/** Sets the item's next node from the route; a route that cannot decide fails the item. */
function follow(item: Item, node: string, route: Route, stats: NodeStats): boolean {
  const next = route(item.record, { node, line: item.line, seq: item.seq });
  if (next !== null && typeof next === 'object') {
    fail(item, node, next.error, stats);
    return false;
  }
  item.route = next;
  return true;
}

/**
 * Applies a node's result to the item that produced it and appends the resulting items to
 * `out`: the record carried on, dropped (filtered), fanned out, or turned into an error.
 */
export function settle(
  item: Item,
  node: string,
  route: Route,
  result: NodeResult | Routed | Promise<NodeResult>,
  stats: NodeStats,
  out: Item[],
  mutates = true,
  /** Fields the node added to a record that lacked them (see CompiledNode.writes); its bytes stay valid. */
  appends: readonly string[] | null = null,
): void {
  item.trace?.path.push(node);
  if (result instanceof Routed) {
    item.bytes = undefined;
    item.record = result.record;
    item.route = result.to;
    stats.out++;
  } else if (result instanceof Dropped) {
    item.outcome = { kind: 'filtered', node: result.node ?? node, reason: result.reason };
    stats.filtered++;
  } else if (isThenable(result)) {
    // A synchronous function that returned a Promise: its record cannot wait here. Its
    // rejection, if any, must not bring the process down.
    (result as Promise<unknown>).then(undefined, () => undefined);
    fail(item, node, 'returned a Promise from a synchronous node: export an async function or set `concurrency`', stats);
  } else if (isPlainObject(result)) {
    if (result !== item.record || (mutates && appends === null)) item.bytes = undefined;
    else if (mutates && appends && item.bytes) item.appended = item.appended ? [...item.appended, ...appends] : appends;
    item.record = result;
    if (follow(item, node, route, stats)) stats.out++;
  } else if (result === null) {
    item.outcome = { kind: 'filtered', node, reason: 'returned null' };
    stats.filtered++;
  } else if (result === undefined) {
    // Most often a function that forgot its `return`: dropping every record silently would hide it.
    fail(item, node, 'returned undefined: return the record, an array of records, or null to drop it', stats);
  } else if (Array.isArray(result)) {
    if (result.length === 0) {
      item.outcome = { kind: 'filtered', node, reason: 'returned an empty array' };
      stats.filtered++;
    } else if (!result.every(isPlainObject)) {
      fail(item, node, 'returned an array with a non-object element', stats);
    } else {
      item.bytes = undefined;
      const children: Item[] = result.map((record, i) =>
        i === 0
          ? Object.assign(item, { record })
          : {
              seq: item.seq,
              line: item.line,
              record,
              route: null,
              ...(item.id === undefined ? {} : { id: item.id }),
              ...(item.resume === undefined ? {} : { resume: item.resume }),
              ...(item.trace ? { trace: copyTrace(item.trace) } : {}),
            },
      );
      // The input record is finished once every item it became is written.
      if (item.resume) item.resume.left += result.length - 1;
      for (const child of children) {
        if (follow(child, node, route, stats)) stats.out++;
        out.push(child);
      }
      stats.fanout += result.length - 1;
      return;
    }
  } else {
    fail(item, node, `returned ${describe(result)}; expected an object, an array of objects, or null`, stats);
  }
  out.push(item);
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A record: an object made by a literal, JSON.parse or Object.create(null); not a Date, Map or class instance, which JSON would not carry. */
function isPlainObject(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `a ${(value as object).constructor?.name ?? 'non-plain object'}`;
  return typeof value;
}

export function fail(item: Item, node: string, error: unknown, stats: NodeStats): void {
  item.trace?.path.push(node);
  item.outcome = { kind: 'error', node: error instanceof NodeFailure ? error.node : node, error: errorMessage(error) };
  stats.errors++;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : String(error);
}
