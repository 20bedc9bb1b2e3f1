import { didYouMean } from '../config/suggest.js';
import { END, START } from './graph.js';
import { resolveFanouts, type FanoutSpec, type JoinEdge, type JoinOptions } from './fanout-topology.js';

/** An edge as written: `to` is a node, or a map of node → condition (first true wins). */
export interface EdgeSpec {
  /** A list of nodes on a join edge: the last node of each branch of a fan-out. */
  from: string | string[];
  /** A list of nodes fans out: each branch gets the record. */
  to?: string | string[] | Record<string, string>;
  /** On a join edge: how the branches' records are merged. */
  join?: JoinOptions;
  /** A router module instead of `to`: a function returning the next node's name. */
  router?: { module: string; export?: string };
  /** Only on an edge back to an earlier node: how many times a record may go round. */
  max_iterations?: number;
  /** On a loop edge: a condition that ends the loop early. */
  until?: string;
  /** On a loop edge: where a record goes when it has gone round max_iterations times. */
  on_max?: string;
}

/** Where a record goes after a node, when there is no loop to decide. */
export type RouteSpec =
  | { kind: 'static'; to: string | null }
  | { kind: 'conditional'; edge: number; branches: Array<{ to: string | null; when: string }> }
  | { kind: 'router'; edge: number; module: string; export: string }
  | { kind: 'fanout'; edge: number; to: string[] };

/** A bounded loop: records leaving `tail` go back to `head` until `until` or `max` rounds. */
export interface LoopSpec {
  edge: number;
  head: string;
  tail: string;
  max: number;
  until: string | null;
  /** null is END; 'error' makes the record an error; undefined: the tail's forward route. */
  onMax: string | null | 'error' | undefined;
  /** The nodes inside the loop, head first, in order. */
  body: string[];
}

export interface TopologyProblem {
  at: { edge: number; key: string } | { node: string };
  message: string;
}

export interface Topology {
  entry: string | null;
  routes: Map<string, RouteSpec>;
  /** Nodes in topological order of the forward edges (ties keep the order written). */
  order: string[];
  loops: LoopSpec[];
  fanouts: FanoutSpec[];
}

/**
 * Works out where records go. Without edges, nodes run in the order written. With edges:
 * every name exists, each node has one way out (a plain edge, a conditional edge or a
 * router; a node with none ends at END) plus at most one loop edge back to an earlier node
 * with max_iterations; the forward edges have no cycle; every node is reachable.
 */
export function resolveTopology(names: readonly string[], edges: readonly EdgeSpec[] | undefined): Topology | TopologyProblem[] {
  if (!edges) {
    const routes = new Map<string, RouteSpec>();
    names.forEach((n, i) => {
      routes.set(n, { kind: 'static', to: names[i + 1] ?? null });
    });
    return { entry: names[0] ?? null, routes, order: [...names], loops: [], fanouts: [] };
  }
  const problems: TopologyProblem[] = [];
  const known = new Set(names);
  const target = (name: string, at: { edge: number; key: string }): string | null | undefined => {
    if (name === END) return null;
    if (name === START) {
      problems.push({ at, message: 'START cannot be an edge target' });
      return undefined;
    }
    if (!known.has(name)) {
      problems.push({ at, message: `no node named "${name}"${didYouMean(name, names)}` });
      return undefined;
    }
    return name;
  };
  const routes = new Map<string, RouteSpec>();
  const loopEdges: Array<{ edge: number; from: string; to: string; spec: EdgeSpec }> = [];
  const joinEdges: JoinEdge[] = [];
  let entry: string | null | undefined;
  // Set inside the forEach below, which TypeScript's narrowing does not follow.
  let startFanout = null as { edge: number; to: string[] } | null;

  // biome-ignore lint/suspicious/useIterableCallbackReturn: each `return void` ends one edge's checks
  edges.forEach((edge, i) => {
    if (Array.isArray(edge.from)) return void joinEdge(edge, i, edge.from);
    if (edge.join !== undefined) return void problems.push({ at: { edge: i, key: 'join' }, message: '`join` goes on an edge from a list of nodes: {from: [B, C], to: J, join: …}' });
    if (edge.from === END) return void problems.push({ at: { edge: i, key: 'from' }, message: 'END has no outgoing edges' });
    if (edge.from !== START && !known.has(edge.from)) {
      return void problems.push({ at: { edge: i, key: 'from' }, message: `no node named "${edge.from}"${didYouMean(edge.from, names)}` });
    }
    if ((edge.to === undefined) === (edge.router === undefined)) {
      return void problems.push({ at: { edge: i, key: 'to' }, message: 'an edge needs exactly one of `to` or `router`' });
    }
    const isLoop = edge.max_iterations !== undefined;
    if (!isLoop && (edge.until !== undefined || edge.on_max !== undefined)) {
      problems.push({ at: { edge: i, key: edge.until !== undefined ? 'until' : 'on_max' }, message: '`until` and `on_max` go with max_iterations, on a loop edge' });
    }
    if (isLoop) {
      if (typeof edge.to !== 'string' || edge.from === START) {
        return void problems.push({ at: { edge: i, key: 'max_iterations' }, message: 'max_iterations goes on a plain edge from a node back to an earlier node' });
      }
      const to = target(edge.to, { edge: i, key: 'to' });
      if (to) loopEdges.push({ edge: i, from: edge.from, to, spec: edge });
      return;
    }
    let route: RouteSpec | undefined;
    if (edge.router) route = { kind: 'router', edge: i, module: edge.router.module, export: edge.router.export ?? 'default' };
    else if (typeof edge.to === 'string') {
      const to = target(edge.to, { edge: i, key: 'to' });
      if (to !== undefined) route = { kind: 'static', to };
    } else if (Array.isArray(edge.to)) {
      const heads: string[] = [];
      edge.to.forEach((name, k) => {
        const at = { edge: i, key: `to.${k}` };
        if (name === END) problems.push({ at, message: 'a fan-out goes to nodes, not END' });
        else if (heads.includes(name)) problems.push({ at, message: `"${name}" is listed twice` });
        else if (target(name, at) !== undefined) heads.push(name);
      });
      if (heads.length === edge.to.length) route = { kind: 'fanout', edge: i, to: heads };
    } else if (edge.to) {
      const branches: Array<{ to: string | null; when: string }> = [];
      for (const [name, when] of Object.entries(edge.to)) {
        const to = target(name, { edge: i, key: `to.${name}` });
        if (to !== undefined) branches.push({ to, when });
      }
      if (branches.length === 0) problems.push({ at: { edge: i, key: 'to' }, message: 'a conditional edge needs at least one branch' });
      route = { kind: 'conditional', edge: i, branches };
    }
    if (!route) return;
    if (edge.from === START) {
      if (entry !== undefined) problems.push({ at: { edge: i, key: 'from' }, message: 'START already has an outgoing edge' });
      else if (route.kind === 'fanout') {
        entry = route.to[0]!;
        startFanout = { edge: i, to: route.to };
      } else if (route.kind !== 'static') problems.push({ at: { edge: i, key: 'to' }, message: 'START takes a plain edge or a fan-out; branch on a condition from the first node' });
      else entry = route.to;
      return;
    }
    if (routes.has(edge.from)) {
      problems.push({ at: { edge: i, key: 'from' }, message: `"${edge.from}" already has an outgoing edge; use one conditional edge to branch` });
      return;
    }
    routes.set(edge.from, route);
  });
  function joinEdge(edge: EdgeSpec, i: number, tails: string[]): void {
    if (typeof edge.to !== 'string' || edge.router !== undefined || edge.max_iterations !== undefined) {
      problems.push({ at: { edge: i, key: 'from' }, message: 'an edge from a list of nodes is a join: it takes `to: NODE` (or END) and `join:`, and no router or loop keys' });
      return;
    }
    const to = target(edge.to, { edge: i, key: 'to' });
    if (to === undefined) return;
    const seen = new Set<string>();
    tails.forEach((name, k) => {
      const at = { edge: i, key: `from.${k}` };
      if (name === START || name === END) problems.push({ at, message: `a join edge starts from the last node of each branch, not ${name}` });
      else if (!known.has(name)) problems.push({ at, message: `no node named "${name}"${didYouMean(name, names)}` });
      else if (seen.has(name)) problems.push({ at, message: `"${name}" is listed twice` });
      else if (routes.has(name)) problems.push({ at, message: `"${name}" already has an outgoing edge` });
      else {
        seen.add(name);
        routes.set(name, { kind: 'static', to });
      }
    });
    joinEdges.push({ edge: i, tails, to, options: edge.join ?? {} });
  }
  if (entry === undefined && edges.length > 0 && problems.length === 0) problems.push({ at: { edge: 0, key: 'from' }, message: 'no edge leaves START' });
  for (const n of names) if (!routes.has(n)) routes.set(n, { kind: 'static', to: null });
  if (problems.length > 0) return problems;

  // Forward successors. A router may send a record to any node: it is checked at run time,
  // and for ordering it is treated as leading nowhere.
  const successors = (n: string): string[] => {
    const r = routes.get(n)!;
    if (r.kind === 'static') return r.to ? [r.to] : [];
    if (r.kind === 'conditional') return r.branches.map((b) => b.to).filter((t): t is string => t !== null);
    if (r.kind === 'fanout') return r.to;
    return [];
  };
  const order = topologicalOrder(names, successors, entry ?? null);
  if ('cycle' in order) {
    // Point at the edge that closes the cycle: into a cycle node, from another one.
    const inCycle = new Set(names.filter((n) => !order.ordered.has(n)));
    const leaves = (x: EdgeSpec): boolean => (Array.isArray(x.from) ? x.from : [x.from]).some((f) => inCycle.has(f));
    const e = edges.findIndex((x) => x.max_iterations === undefined && leaves(x) && typeof x.to === 'string' && x.to === order.cycle);
    const closing = e !== -1 ? e : edges.findIndex(leaves);
    return [{ at: { edge: Math.max(closing, 0), key: 'to' }, message: `cycle through "${order.cycle}" (loops need max_iterations on the edge back)` }];
  }
  const reachableFrom = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...successors(n));
    }
    return seen;
  };

  const loops: LoopSpec[] = [];
  for (const l of loopEdges) {
    const fromHead = reachableFrom(l.to);
    if (!fromHead.has(l.from)) {
      problems.push({ at: { edge: l.edge, key: 'to' }, message: `"${l.to}" does not lead to "${l.from}": max_iterations goes on an edge back to an earlier node` });
      continue;
    }
    // The body: nodes on a forward path from the head to the tail.
    const body = order.order.filter((n) => fromHead.has(n) && reachableFrom(n).has(l.from));
    let onMax: LoopSpec['onMax'];
    if (l.spec.on_max === 'error') onMax = 'error';
    else if (l.spec.on_max !== undefined) {
      const t = target(l.spec.on_max, { edge: l.edge, key: 'on_max' });
      if (t === undefined) continue;
      onMax = t;
    }
    loops.push({ edge: l.edge, head: l.to, tail: l.from, max: l.spec.max_iterations!, until: l.spec.until ?? null, onMax, body });
  }
  // A loop is entered through its head only, and loops do not overlap.
  const owner = new Map<string, LoopSpec>();
  for (const loop of loops) {
    for (const n of loop.body) {
      if (owner.has(n)) problems.push({ at: { edge: loop.edge, key: 'to' }, message: `loops overlap at "${n}"; nest them with a subgraph instead` });
      owner.set(n, loop);
    }
    for (const n of names) {
      if (loop.body.includes(n)) continue;
      if (successors(n).some((s) => s !== loop.head && loop.body.includes(s))) {
        problems.push({ at: { node: n }, message: `"${n}" leads into the middle of the loop ${loop.head} … ${loop.tail}; enter it through "${loop.head}"` });
      }
    }
    if (entry && entry !== loop.head && loop.body.includes(entry)) problems.push({ at: { edge: loop.edge, key: 'to' }, message: 'START leads into the middle of a loop' });
  }

  const fanouts = resolveFanouts({ routes, successors, order: order.order, loops, joinEdges, startFanout }, problems);

  const reached = new Set<string>();
  const stack = startFanout ? [...startFanout.to] : entry ? [entry] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (reached.has(n)) continue;
    reached.add(n);
    stack.push(...successors(n));
    for (const l of loops) if (l.tail === n && typeof l.onMax === 'string' && l.onMax !== 'error') stack.push(l.onMax);
  }
  const hasRouter = [...routes.values()].some((r) => r.kind === 'router');
  if (!hasRouter) for (const n of names) if (!reached.has(n)) problems.push({ at: { node: n }, message: `node "${n}" is unreachable from START` });
  if (problems.length > 0) return problems;
  return { entry: entry ?? null, routes, order: order.order, loops, fanouts };
}

/** Kahn's algorithm over the forward edges, ties broken by the order written. */
function topologicalOrder(names: readonly string[], successors: (n: string) => string[], entry: string | null): { order: string[] } | { cycle: string; ordered: Set<string> } {
  const indegree = new Map(names.map((n) => [n, 0]));
  for (const n of names) for (const s of successors(n)) indegree.set(s, (indegree.get(s) ?? 0) + 1);
  const ready = names.filter((n) => indegree.get(n) === 0);
  // The entry goes first when it is free to.
  if (entry && ready.includes(entry)) ready.splice(ready.indexOf(entry), 1), ready.unshift(entry);
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const s of successors(n)) {
      const d = indegree.get(s)! - 1;
      indegree.set(s, d);
      if (d === 0) {
        const at = ready.findIndex((r) => names.indexOf(r) > names.indexOf(s));
        ready.splice(at === -1 ? ready.length : at, 0, s);
      }
    }
  }
  if (order.length < names.length) {
    const ordered = new Set(order);
    // The cycle's first node in the order written, among those left with incoming edges.
    return { cycle: names.find((n) => !ordered.has(n) && successors(n).some((s) => !ordered.has(s)) && names.some((m) => !ordered.has(m) && successors(m).includes(n)))!, ordered };
  }
  return { order };
}
