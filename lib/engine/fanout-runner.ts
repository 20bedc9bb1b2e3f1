import { callSites, runAt } from '../record/trace.js';
import { isJsonObject, type JsonObject } from '../record/item.js';
import type { CompiledFanout, CompiledLoop, GraphNode, Route } from '../graph/graph.js';
import type { BranchStats, NodeStats, RunStats } from '../metrics/run-stats.js';
import { Dropped, NodeFailure, Routed, type CompiledNode, type RecordContext, type RecordFn } from '../nodes/definition.js';
import { mergeBranches, mergeDeep, type Delivered } from './join-merge.js';
import { enterInner } from './inner-call.js';
import { loopNode } from './loop-runner.js';

/** How one branch ended for one record. */
type Outcome = { head: string; record: JsonObject } | { head: string; filtered: string; node: string } | { head: string; error: string; node: string };

/** One step inside a branch: the record moves on to `next`, or the branch has ended. */
type Step = { record: JsonObject; next: string } | Outcome;

interface Branch {
  readonly head: string;
  readonly body: ReadonlySet<string>;
  /**
   * The branch's own copy of the record: none when every node promises not to change the
   * record it is given; a shallow one (with its own copy of the fields they write) when
   * every node changes only the top-level fields it declares; else a deep one.
   */
  readonly copy: 'none' | { fields: readonly string[] } | 'deep';
  readonly stats: BranchStats;
}

/**
 * A fan-out and its join as one node on the bus: each record goes down every branch (each
 * starting from the record as it left the fan-out), and the join merges what the branches
 * delivered. When every branch node is synchronous the branches run one after another in
 * the batch loop; otherwise they run concurrently per record, and the async stage around
 * this node bounds how many records wait in the join and keeps their order.
 * The inner nodes keep their own counts in --stats, and each branch its own.
 */
export function fanoutNode(fanout: CompiledFanout, nodes: ReadonlyMap<string, GraphNode>, routes: ReadonlyMap<string, Route>, loops: readonly CompiledLoop[], stats: RunStats): CompiledNode {
  const loopAt = new Map<string, CompiledNode>();
  for (const loop of loops) if (fanout.branches.some((b) => b.body.includes(loop.head))) loopAt.set(loop.head, loopNode(loop, nodes, routes, stats));
  const branches: Branch[] = fanout.branches.map((b) => ({
    head: b.head,
    body: new Set(b.body),
    copy: copyFor(b.body.map((n) => (loopAt.has(n) ? null : nodes.get(n)!.compiled))),
    stats: stats.branch(fanout.from, b.head),
  }));
  const innerNodes = fanout.branches.flatMap((b) => b.body).map((n) => nodes.get(n)!.compiled);
  const async = loopAt.size > 0 || typeof fanout.merge === 'function' || innerNodes.some((c) => c.async);
  const joinName = `join after ${fanout.from}`;
  // What the block changes, for writing the input line with fields appended (CompiledNode.writes):
  // nothing when no branch changes its record; the fields branch nodes declare when each
  // declares them (a deep merge then adds only those, to the record itself); else unknown.
  const unchanged = branches.every((b) => b.copy === 'none');
  const writes =
    !unchanged && fanout.merge === 'deep' && branches.every((b) => b.copy !== 'deep')
      ? [...new Set(branches.flatMap((b) => (b.copy === 'none' || b.copy === 'deep' ? [] : b.copy.fields)))]
      : undefined;
  const mutates = !unchanged;

  /** Where the record goes after `current` gave `result`. */
  const advance = (branch: Branch, current: string, result: unknown, counts: NodeStats | null, ctx: RecordContext): Step => {
    const { head } = branch;
    let record: JsonObject;
    let next: string | null;
    if (result instanceof Routed) {
      record = result.record;
      next = result.to;
    } else if (result === null || result === undefined || result instanceof Dropped) {
      if (counts) counts.filtered++;
      return { head, filtered: result instanceof Dropped ? result.reason : 'returned null', node: result instanceof Dropped ? (result.node ?? current) : current };
    } else if (!isJsonObject(result) || ![Object.prototype, null].includes(Object.getPrototypeOf(result))) {
      if (counts) counts.errors++;
      const why = Array.isArray(result)
        ? 'fan-out (an array) is not supported inside a branch; fan out after the join'
        : typeof (result as { then?: unknown }).then === 'function'
          ? 'returned a Promise from a synchronous node'
          : `returned ${typeof result}; expected an object`;
      return { head, error: why, node: current };
    } else {
      if (counts) counts.out++;
      record = result;
      const route = routes.get(current)!(record, ctx);
      if (route !== null && typeof route === 'object') return { head, error: route.error, node: current };
      next = route;
    }
    if (next === fanout.join) return { head, record };
    if (next === null) return { head, error: 'the branch reached END before its join', node: current };
    if (!branch.body.has(next)) return { head, error: `sent the record to "${next}", outside its branch "${head}"`, node: current };
    return { record, next };
  };

  const begin = (branch: Branch, input: JsonObject): JsonObject => {
    branch.stats.in++;
    const { copy } = branch;
    if (copy === 'none') return input;
    if (copy === 'deep') return structuredClone(input);
    const own = { ...input };
    for (const f of copy.fields) if (typeof own[f] === 'object' && own[f] !== null) own[f] = structuredClone(own[f]);
    return own;
  };

  const runBranchSync = (branch: Branch, input: JsonObject, outer: RecordContext): Outcome => {
    let record = begin(branch, input);
    let current = branch.head;
    for (;;) {
      const ctx: RecordContext = { ...outer, node: current };
      const call = enterInner(stats, current);
      let result: unknown;
      try {
        result = nodes.get(current)!.compiled.run(record, ctx);
      } catch (err) {
        call.leave(true);
        return { head: branch.head, error: messageOf(err), node: current };
      }
      call.leave(false);
      const step = advance(branch, current, result, call.counts, ctx);
      if (!('next' in step)) return step;
      record = step.record;
      current = step.next;
    }
  };

  const runBranchAsync = async (branch: Branch, input: JsonObject, outer: RecordContext): Promise<Outcome> => {
    let record = begin(branch, input);
    let current = branch.head;
    for (;;) {
      const ctx: RecordContext = { ...outer, node: current };
      // A loop counts its own nodes.
      const loop = loopAt.get(current);
      const call = loop ? null : enterInner(stats, current);
      let result: unknown;
      try {
        const fn = loop ?? nodes.get(current)!.compiled;
        result = await runAt({ node: current, line: outer.line, id: callSites.getStore()?.id }, () => fn.run(record, ctx));
      } catch (err) {
        call?.leave(true);
        return { head: branch.head, error: messageOf(err), node: err instanceof NodeFailure ? err.node : current };
      }
      call?.leave(false);
      const step = advance(branch, current, result, call?.counts ?? null, ctx);
      if (!('next' in step)) return step;
      record = step.record;
      current = step.next;
    }
  };

  /** The join: the policy for branches that failed or filtered, then the merge. */
  const join = (outcomes: Outcome[], input: JsonObject, ctx: RecordContext): JsonObject | Dropped | Promise<JsonObject | Dropped> => {
    const delivered: Delivered[] = [];
    let failed: Extract<Outcome, { error: string }> | null = null;
    let filtered: Extract<Outcome, { filtered: string }> | null = null;
    outcomes.forEach((o, i) => {
      const s = branches[i]!.stats;
      if ('record' in o) {
        s.delivered++;
        delivered.push({ head: o.head, record: o.record });
      } else if ('error' in o) {
        s.errors++;
        failed ??= o;
      } else {
        s.filtered++;
        filtered ??= o;
      }
    });
    const f = failed as Extract<Outcome, { error: string }> | null;
    const d = filtered as Extract<Outcome, { filtered: string }> | null;
    if (f && (fanout.onBranchError === 'error' || delivered.length === 0)) {
      throw new NodeFailure(f.node, `${delivered.length === 0 && fanout.onBranchError !== 'error' ? 'every branch failed or filtered; ' : ''}branch "${f.head}": ${f.error}`);
    }
    if (d && (fanout.onBranchFiltered === 'drop' || delivered.length === 0)) {
      return new Dropped(`${delivered.length === 0 && fanout.onBranchFiltered !== 'drop' ? 'every branch filtered the record; ' : ''}branch "${d.head}": ${d.filtered}`, d.node);
    }
    if (typeof fanout.merge === 'function') {
      const branchRecords = Object.fromEntries(delivered.map((x) => [x.head, x.record])) as Record<string, JsonObject>;
      return Promise.resolve(fanout.merge(branchRecords, input, { ...ctx, node: joinName })).then((merged) => {
        if (merged === null) return new Dropped('the join module returned null', joinName);
        if (!isJsonObject(merged)) throw new NodeFailure(joinName, `the join module returned ${Array.isArray(merged) ? 'an array' : typeof merged}; expected an object or null`);
        return merged;
      });
    }
    const merged = fanout.merge === 'deep' ? mergeDeep(input, delivered, { addInPlace: writes !== undefined }) : mergeBranches(input, delivered);
    if ('conflict' in merged) throw new NodeFailure(joinName, merged.conflict);
    return merged.record;
  };

  if (!async) {
    const run: RecordFn = (record, ctx) =>
      join(
        branches.map((b) => runBranchSync(b, record, ctx)),
        record,
        ctx,
      ) as JsonObject | Dropped;
    return { async: false, concurrency: 1, mutates, ...(writes ? { writes } : {}), run };
  }
  const concurrency = Math.max(16, ...innerNodes.map((c) => (c.async ? c.concurrency : 1)));
  const run: RecordFn = async (record, ctx) => join(await Promise.all(branches.map((b) => runBranchAsync(b, record, ctx))), record, ctx);
  return { async: true, concurrency, mutates, ...(writes ? { writes } : {}), run };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : String(err);
}

/** How much of the record a branch of these nodes (null: a loop) must copy; see Branch.copy. */
function copyFor(nodes: ReadonlyArray<CompiledNode | null>): Branch['copy'] {
  if (nodes.every((c) => c !== null && c.mutates === false)) return 'none';
  const fields = new Set<string>();
  for (const c of nodes) {
    if (c === null) return 'deep';
    if (c.mutates === false) continue;
    if (!c.writes) return 'deep';
    for (const f of c.writes) fields.add(f);
  }
  return { fields: [...fields] };
}
