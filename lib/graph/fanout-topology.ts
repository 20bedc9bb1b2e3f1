import { START } from './graph.js';
import type { LoopSpec, RouteSpec, TopologyProblem } from './topology.js';

/** `join:` as written on a join edge. */
export interface JoinOptions {
  merge?: 'deep' | 'branches' | { module: string; export?: string };
  on_branch_error?: 'error' | 'drop_branch';
  on_branch_filtered?: 'drop' | 'keep_others';
}

/** How a join merges, with its defaults filled in. */
export interface JoinPolicy {
  merge: 'deep' | 'branches' | { module: string; export: string };
  onBranchError: 'error' | 'drop_branch';
  onBranchFiltered: 'drop' | 'keep_others';
}

/** An edge from a list of nodes (the last node of each branch) to the join. */
export interface JoinEdge {
  edge: number;
  tails: string[];
  /** The node after the join; null is END. */
  to: string | null;
  options: JoinOptions;
}

/** A fan-out with its join: one record goes down every branch, and the branches meet at `join`. */
export interface FanoutSpec {
  /** The fan-out edge. */
  edge: number;
  /** The node the branches leave from, or START. */
  from: string;
  /** Each branch's first node, in the order written. */
  heads: string[];
  /** The node after the join (null is END) and the join edge. */
  join: string | null;
  joinEdge: number;
  tails: string[];
  /** Each branch's nodes, its head first, in topological order. */
  branches: Array<{ head: string; body: string[] }>;
  policy: JoinPolicy;
}

interface FanoutInput {
  routes: ReadonlyMap<string, RouteSpec>;
  successors: (n: string) => string[];
  /** Nodes in topological order. */
  order: readonly string[];
  loops: readonly LoopSpec[];
  joinEdges: readonly JoinEdge[];
  startFanout: { edge: number; to: string[] } | null;
}

/**
 * Pairs each fan-out with its join and works out its branches: the nodes each head reaches
 * before the join. Branches share no node, are entered from the fan-out only, end at the
 * join (not END), hold no fan-out of their own, and hold whole loops only.
 */
export function resolveFanouts(input: FanoutInput, problems: TopologyProblem[]): FanoutSpec[] {
  const { routes, successors, order, loops, joinEdges } = input;
  const position = new Map(order.map((n, i) => [n, i]));
  const reach = (start: string, stop: string | null): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n) || n === stop) continue;
      seen.add(n);
      stack.push(...successors(n));
    }
    return seen;
  };

  const sources: Array<{ edge: number; from: string; heads: string[] }> = [];
  if (input.startFanout) sources.push({ edge: input.startFanout.edge, from: START, heads: input.startFanout.to });
  for (const [from, r] of routes) if (r.kind === 'fanout') sources.push({ edge: r.edge, from, heads: r.to });

  // The latest fan-out pairs first, so an inner or later fan-out takes its own join before an outer or earlier one looks.
  sources.sort((a, b) => (position.get(b.from) ?? -1) - (position.get(a.from) ?? -1));
  const claimed = new Set<JoinEdge>();
  const fanouts: FanoutSpec[] = [];
  for (const src of sources) {
    const reaches = src.heads.map((h) => reach(h, null));
    // The join: the nearest join edge whose tails the branches reach, each branch at least one.
    // A branch reaches the join through one of the join edge's nodes, or by a conditional edge straight to the node after it.
    const meets = (r: Set<string>, j: JoinEdge): boolean => j.tails.some((t) => r.has(t)) || (j.to !== null && r.has(j.to));
    const candidates = joinEdges.filter((j) => !claimed.has(j) && reaches.every((r) => meets(r, j)) && j.tails.every((t) => reaches.some((r) => r.has(t))));
    const nearest = (j: JoinEdge): number => Math.min(...j.tails.map((t) => position.get(t) ?? Number.POSITIVE_INFINITY));
    const join = candidates.sort((a, b) => nearest(a) - nearest(b))[0];
    if (!join) {
      problems.push({
        at: { edge: src.edge, key: 'to' },
        message: `the fan-out from ${src.from} has no join: add an edge {from: [the last node of each branch], to: NEXT_NODE, join: {merge: deep}} where its branches meet`,
      });
      continue;
    }
    claimed.add(join);
    if (join.to !== null && src.heads.includes(join.to)) {
      problems.push({ at: { edge: join.edge, key: 'to' }, message: `the join leads to "${join.to}", which starts a branch of the fan-out from ${src.from}; a join leads past the branches` });
      continue;
    }
    const branches = src.heads.map((head) => ({ head, body: order.filter((n) => reach(head, join.to).has(n)) }));
    const owner = new Map<string, string>();
    for (const b of branches) {
      for (const n of b.body) {
        const other = owner.get(n);
        if (other !== undefined) problems.push({ at: { node: n }, message: `"${n}" is on two branches of the fan-out from ${src.from} ("${other}" and "${b.head}"); give each branch its own nodes` });
        owner.set(n, b.head);
        const r = routes.get(n)!;
        if (r.kind === 'fanout') problems.push({ at: { node: n }, message: `"${n}" fans out inside a branch of the fan-out from ${src.from}; put the inner fan-out and its join in a subgraph node` });
        const toEnd = (r.kind === 'static' && r.to === null) || (r.kind === 'conditional' && r.branches.some((x) => x.to === null));
        if (toEnd && join.to !== null)
          problems.push({ at: { node: n }, message: `"${n}" is on the branch "${b.head}" of the fan-out from ${src.from} and leads to END; a branch ends at its join (the edge to "${join.to}")` });
      }
    }
    for (const n of order) {
      if (owner.has(n) || n === src.from) continue;
      const into = successors(n).find((s) => owner.has(s));
      if (into !== undefined) problems.push({ at: { node: n }, message: `"${n}" leads into "${into}", on a branch of the fan-out from ${src.from}; a branch is entered from its fan-out only` });
    }
    for (const t of join.tails) {
      if (!owner.has(t)) problems.push({ at: { edge: join.edge, key: 'from' }, message: `"${t}" is not on a branch of the fan-out from ${src.from}` });
    }
    for (const loop of loops) {
      const inside = loop.body.filter((n) => owner.has(n));
      if (inside.length === 0) continue;
      const one = owner.get(inside[0]!)!;
      if (inside.length < loop.body.length || inside.some((n) => owner.get(n) !== one)) {
        problems.push({
          at: { edge: loop.edge, key: 'to' },
          message: `the loop ${loop.head} … ${loop.tail} crosses a branch of the fan-out from ${src.from}; a loop sits wholly inside one branch (or put the fan-out in a subgraph)`,
        });
      }
    }
    fanouts.push({ edge: src.edge, from: src.from, heads: src.heads, join: join.to, joinEdge: join.edge, tails: join.tails, branches, policy: policyOf(join.options) });
  }
  for (const j of joinEdges) {
    if (!claimed.has(j))
      problems.push({ at: { edge: j.edge, key: 'from' }, message: 'no fan-out leads to these branches: a join edge starts from the last node of each branch of a fan-out ({from: A, to: [B, C]})' });
  }
  return fanouts.sort((a, b) => a.edge - b.edge);
}

function policyOf(o: JoinOptions): JoinPolicy {
  const merge = o.merge ?? 'deep';
  return {
    merge: typeof merge === 'string' ? merge : { module: merge.module, export: merge.export ?? 'default' },
    onBranchError: o.on_branch_error ?? 'error',
    onBranchFiltered: o.on_branch_filtered ?? 'drop',
  };
}
