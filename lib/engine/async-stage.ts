import h from 'highland';
import type { GraphNode, Route } from '../graph/graph.js';
import { callSites, runAt, runTraced } from '../record/trace.js';
import type { RunStats } from '../metrics/run-stats.js';
import type { Batch, Item } from '../record/item.js';
import { fail, settle } from './settle.js';

/** One input item's place in the stage; `items` is set when it is done (several after fan-out). */
interface Entry {
  items: Item[] | null;
}

export interface AsyncStageOptions {
  /** Release results in input order (default) or as they complete. */
  ordered: boolean;
  stats: RunStats;
}

/** Records answered at once that are let go together (see startMore). */
const RELEASE_EVERY = 256;

/**
 * Runs an async node with at most `concurrency` records in flight, pulling more input only
 * while fewer than `capacity` items are held (running, waiting, or done but held back for
 * order). In ordered mode a slow record holds back at most `capacity` items behind it; the
 * stage never buffers more, whatever the input size.
 */
export function asyncStage(node: GraphNode, route: Route, options: AsyncStageOptions, countHere = true) {
  const { concurrency } = node.compiled;
  const capacity = Math.max(concurrency * 4, 64);
  // A loop counts its inner nodes itself; its own stage keeps separate, uncounted stats.
  const nodeStats = countHere ? options.stats.node(node.name) : { in: 0, out: 0, filtered: 0, errors: 0, fanout: 0, time_ms: 0 };
  const run = node.compiled.run;
  const writes = node.compiled.writes ?? null;
  const latency = countHere ? options.stats.latency(node.name) : null;

  return (upstream: Highland.Stream<Batch>): Highland.Stream<Batch> => {
    const queue: Entry[] = []; // ordered mode: every held entry in arrival order
    let queueHead = 0;
    const ready: Item[] = []; // unordered mode: finished items awaiting release
    let readyEntries = 0;
    // Records not yet started, from waitingHead on (an index, not shift(): a batch can be thousands).
    let waiting: Array<{ item: Item; entry: Entry }> = [];
    let waitingHead = 0;
    let active = 0;
    let held = 0;
    let upstreamDone = false;
    let pulling = false;
    let failure: Error | null = null;
    let consumer: { push: (err: Error | null, x?: Batch | Highland.Nil) => void; next: () => void } | null = null;

    const complete = (entry: Entry, items: Item[]): void => {
      entry.items = items;
      if (!options.ordered) {
        for (const it of items) ready.push(it);
        readyEntries++;
      }
    };

    /** Starts the node on one record; true when it answered at once (see startMore). */
    const start = (item: Item, entry: Entry): boolean => {
      active++;
      nodeStats.in++;
      const began = performance.now();
      // Checked before the node runs: only fields the record did not have can be appended to its line.
      const appends = writes !== null && item.bytes !== undefined && !writes.some((f) => Object.hasOwn(item.record, f)) ? writes : null;
      let result: unknown;
      try {
        const ctx = { node: node.name, line: item.line, seq: item.seq };
        const runHere = () => run(item.record, ctx);
        const runLogged = callSites.enabled ? () => runAt({ node: node.name, line: item.line, id: item.id ?? idOf(item.record) }, runHere) : runHere;
        result = item.trace ? runTraced(item.trace, runLogged) : runLogged();
      } catch (err) {
        failed(item, entry, err, began);
        return true;
      }
      // A node may answer at once (an LLM answer from the cache): settled here, with no
      // promise; startMore's loop goes on to the next record.
      if (!isThenable(result)) {
        settled(item, entry, result, began, appends);
        return true;
      }
      result.then(
        (value) => {
          settled(item, entry, value, began, appends);
          startMore();
        },
        (err: unknown) => {
          failed(item, entry, err, began);
          startMore();
        },
      );
      return false;
    };

    const settled = (item: Item, entry: Entry, result: unknown, began: number, appends: readonly string[] | null): void => {
      const out: Item[] = [];
      settle(item, node.name, route, result as never, nodeStats, out, node.compiled.mutates !== false, appends);
      if (out.length > 1) options.stats.grew(out.length - 1);
      finish(entry, out, began);
    };

    const failed = (item: Item, entry: Entry, err: unknown, began: number): void => {
      fail(item, node.name, err, nodeStats);
      finish(entry, [item], began);
    };

    const finish = (entry: Entry, items: Item[], began: number): void => {
      const elapsed = performance.now() - began;
      nodeStats.time_ms += elapsed;
      latency?.record(elapsed);
      active--;
      complete(entry, items);
      schedulePump();
    };

    // Completions that land in one turn of the event loop (a warm cache answers hundreds
    // in one turn) leave as one batch, not one stream event each.
    let pumpScheduled = false;
    const schedulePump = (): void => {
      if (pumpScheduled) return;
      pumpScheduled = true;
      setImmediate(() => {
        pumpScheduled = false;
        pump();
      });
    };

    /**
     * Starts waiting records while fewer than `concurrency` run. Records a node answers at
     * once (a warm cache) are let go every RELEASE_EVERY: the rest of the batch goes on in
     * the next turn, after those are written. Otherwise a whole input batch of changed
     * records would be held in memory at once, and the garbage collector, which copies
     * what is live, would copy it several times over.
     */
    let resumeScheduled = false;
    const startMore = (): void => {
      let atOnce = 0;
      while (active < concurrency && waitingHead < waiting.length) {
        if (atOnce === RELEASE_EVERY) {
          if (!resumeScheduled) {
            resumeScheduled = true;
            setImmediate(() => {
              resumeScheduled = false;
              startMore();
              pump();
            });
          }
          return;
        }
        const w = waiting[waitingHead]!;
        waiting[waitingHead++] = undefined as never;
        if (waitingHead === waiting.length) {
          waiting = [];
          waitingHead = 0;
        }
        if (start(w.item, w.entry)) atOnce++;
      }
    };

    const accept = (batch: Batch): void => {
      for (const item of batch) {
        const entry: Entry = { items: null };
        held++;
        if (options.ordered) queue.push(entry);
        if (item.outcome !== undefined || item.route !== node.name) complete(entry, [item]);
        else waiting.push({ item, entry });
      }
    };

    const intake = (): void => {
      if (upstreamDone || pulling || failure || held >= capacity || waitingHead < waiting.length) return;
      pulling = true;
      upstream.pull((err, batch) => {
        pulling = false;
        if (err) failure = err;
        else if (h.isNil(batch)) upstreamDone = true;
        else accept(batch);
        startMore();
        pump();
      });
    };

    const takeReleasable = (): Item[] => {
      if (!options.ordered) {
        held -= readyEntries;
        readyEntries = 0;
        return ready.splice(0, ready.length);
      }
      const out: Item[] = [];
      while (queueHead < queue.length && queue[queueHead]!.items !== null) {
        for (const it of queue[queueHead]!.items!) out.push(it);
        // Let go of the entry now: the array is trimmed only now and then (below).
        queue[queueHead] = undefined as never;
        queueHead++;
        held--;
      }
      if (queueHead > 1024 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
      return out;
    };

    const pump = (): void => {
      if (consumer) {
        const out = takeReleasable();
        if (out.length > 0) {
          const c = consumer;
          consumer = null;
          c.push(null, out);
          c.next();
        } else if (failure && active === 0) {
          const c = consumer;
          consumer = null;
          c.push(failure);
          c.push(null, h.nil);
          return;
        } else if (upstreamDone && held === 0) {
          const c = consumer;
          consumer = null;
          c.push(null, h.nil);
          return;
        }
      }
      intake();
    };

    return h<Batch>((push, next) => {
      consumer = { push, next };
      pump();
    });
  };
}

/** The record's own `id`, as text, for the request log when the run tracks no ids (no --resume). */
function idOf(record: Record<string, unknown>): string | undefined {
  const id = record.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
