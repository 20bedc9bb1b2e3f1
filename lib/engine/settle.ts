import { Dropped, type NodeResult } from '../nodes/definition.js';
import type { NodeStats } from '../metrics/run-stats.js';
import { isJsonObject, type Item } from './item.js';

/**
 * Applies a node's result to the item that produced it and appends the resulting items to
 * `out`: the record carried on, dropped (filtered), fanned out, or turned into an error.
 */
export function settle(
  item: Item,
  node: string,
  next: string | null,
  result: NodeResult | Promise<NodeResult>,
  stats: NodeStats,
  out: Item[],
  mutates = true,
): void {
  if (result instanceof Dropped) {
    item.outcome = { kind: 'filtered', node, reason: result.reason };
    stats.filtered++;
  } else if (isJsonObject(result)) {
    if (mutates || result !== item.record) item.bytes = undefined;
    item.record = result;
    item.route = next;
    stats.out++;
  } else if (result === null || result === undefined) {
    item.outcome = { kind: 'filtered', node, reason: 'returned null' };
    stats.filtered++;
  } else if (Array.isArray(result)) {
    if (result.length === 0) {
      item.outcome = { kind: 'filtered', node, reason: 'returned an empty array' };
      stats.filtered++;
    } else if (!result.every(isJsonObject)) {
      fail(item, node, 'returned an array with a non-object element', stats);
    } else {
      item.bytes = undefined;
      item.record = result[0]!;
      item.route = next;
      out.push(item);
      for (let i = 1; i < result.length; i++) {
        out.push({ seq: item.seq, line: item.line, record: result[i]!, route: next });
      }
      stats.out += result.length;
      stats.fanout += result.length - 1;
      return;
    }
  } else if (typeof (result as { then?: unknown }).then === 'function') {
    fail(item, node, 'returned a Promise from a synchronous node: export an async function or set `concurrency`', stats);
  } else {
    fail(item, node, `returned ${typeof result}; expected an object, an array of objects, or null`, stats);
  }
  out.push(item);
}

export function fail(item: Item, node: string, error: unknown, stats: NodeStats): void {
  item.outcome = { kind: 'error', node, error: errorMessage(error) };
  stats.errors++;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : String(error);
}
