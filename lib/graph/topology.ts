import { didYouMean } from '../config/suggest.js';
import { END, START } from './graph.js';

export interface EdgeSpec {
  from: string;
  to: string;
}

/** A problem with the graph's shape, located by edge index (or node name). */
export interface TopologyProblem {
  at: { edge: number; key: 'from' | 'to' } | { node: string };
  message: string;
}

export interface Topology {
  entry: string | null;
  next: Map<string, string | null>;
  order: string[];
}

/**
 * Works out where records go. Without edges, nodes run in the order written. With edges,
 * each node has one successor (a node with no outgoing edge ends at END), START has one,
 * every node is reachable, and there are no cycles.
 */
export function resolveTopology(names: readonly string[], edges: readonly EdgeSpec[] | undefined): Topology | TopologyProblem[] {
  if (!edges) {
    const next = new Map<string, string | null>();
    names.forEach((n, i) => next.set(n, names[i + 1] ?? null));
    return { entry: names[0] ?? null, next, order: [...names] };
  }
  const problems: TopologyProblem[] = [];
  const known = new Set(names);
  const next = new Map<string, string | null>();
  let entry: string | null | undefined;
  edges.forEach((edge, i) => {
    let ok = true;
    if (edge.from === END) {
      problems.push({ at: { edge: i, key: 'from' }, message: 'END has no outgoing edges' });
      ok = false;
    } else if (edge.from !== START && !known.has(edge.from)) {
      problems.push({ at: { edge: i, key: 'from' }, message: `no node named "${edge.from}"${didYouMean(edge.from, names)}` });
      ok = false;
    }
    if (edge.to === START) {
      problems.push({ at: { edge: i, key: 'to' }, message: 'START cannot be an edge target' });
      ok = false;
    } else if (edge.to !== END && !known.has(edge.to)) {
      problems.push({ at: { edge: i, key: 'to' }, message: `no node named "${edge.to}"${didYouMean(edge.to, names)}` });
      ok = false;
    }
    if (!ok) return;
    const target = edge.to === END ? null : edge.to;
    if (edge.from === START) {
      if (entry !== undefined) problems.push({ at: { edge: i, key: 'from' }, message: 'START already has an outgoing edge' });
      else entry = target;
      return;
    }
    if (next.has(edge.from)) {
      problems.push({
        at: { edge: i, key: 'from' },
        message: `"${edge.from}" already has an outgoing edge; a record follows one path`,
      });
      return;
    }
    next.set(edge.from, target);
  });
  if (entry === undefined && edges.length > 0 && problems.length === 0) {
    problems.push({ at: { edge: 0, key: 'from' }, message: 'no edge leaves START' });
  }
  for (const n of names) if (!next.has(n)) next.set(n, null);
  if (problems.length > 0) return problems;

  // Walk from START; a node seen twice on the walk closes a cycle.
  const reached = new Set<string>();
  let node = entry ?? null;
  while (node !== null) {
    if (reached.has(node)) {
      const i = edges.findIndex((e) => e.to === node && reached.has(e.from));
      problems.push({ at: { edge: Math.max(i, 0), key: 'to' }, message: `cycle through "${node}" (loops need max_iterations)` });
      break;
    }
    reached.add(node);
    node = next.get(node) ?? null;
  }
  for (const n of names) {
    if (!reached.has(n)) problems.push({ at: { node: n }, message: `node "${n}" is unreachable from START` });
  }
  if (problems.length > 0) return problems;
  return { entry: entry ?? null, next, order: [...reached] };
}
