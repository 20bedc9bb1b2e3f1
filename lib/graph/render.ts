import { END, START, type Graph } from './graph.js';

export type GraphFormat = 'mermaid' | 'dot';

interface DrawnEdge {
  from: string;
  to: string;
  label: string | null;
  loop: boolean;
}

/** Draws the graph for docs and reviews: Mermaid (renders on GitHub) or Graphviz DOT, with conditions and loop bounds. */
export function renderGraph(graph: Graph, format: GraphFormat): string {
  const startFanout = graph.fanouts.find((f) => f.from === START);
  const edges: DrawnEdge[] = startFanout ? startFanout.heads.map((to) => ({ from: START, to, label: 'fan-out', loop: false })) : [{ from: START, to: graph.entry ?? END, label: null, loop: false }];
  // The last node of each branch: its edge is the join's.
  const joinOf = new Map<string, string>();
  for (const f of graph.fanouts) {
    const label = `join: ${f.mergeName}${f.onBranchError === 'error' ? '' : `, on_branch_error: ${f.onBranchError}`}${f.onBranchFiltered === 'drop' ? '' : `, on_branch_filtered: ${f.onBranchFiltered}`}`;
    for (const b of f.branches) for (const n of b.body) if (graph.routeSpecs.get(n)?.kind === 'static' && (graph.routeSpecs.get(n) as { to: string | null }).to === f.join) joinOf.set(n, label);
  }
  for (const node of graph.nodes) {
    const spec = graph.routeSpecs.get(node.name)!;
    if (spec.kind === 'static') edges.push({ from: node.name, to: spec.to ?? END, label: joinOf.get(node.name) ?? null, loop: false });
    else if (spec.kind === 'conditional') for (const b of spec.branches) edges.push({ from: node.name, to: b.to ?? END, label: b.when, loop: false });
    else if (spec.kind === 'fanout') for (const to of spec.to) edges.push({ from: node.name, to, label: 'fan-out', loop: false });
    else edges.push({ from: node.name, to: `router: ${spec.module}`, label: null, loop: false });
  }
  for (const l of graph.loopSpecs) {
    const bound = `≤ ${l.max} rounds${l.until ? `, until ${l.until}` : ''}`;
    edges.push({ from: l.tail, to: l.head, label: bound, loop: true });
    if (l.onMax !== undefined) edges.push({ from: l.tail, to: l.onMax === null ? END : l.onMax, label: `after ${l.max} rounds`, loop: false });
  }
  return format === 'mermaid' ? mermaid(graph, edges) : dot(graph, edges);
}

function mermaid(graph: Graph, edges: DrawnEdge[]): string {
  const id = (n: string): string => (n.startsWith('router: ') ? `router_${n.slice(8).replace(/\W/g, '_')}` : n);
  const lines = ['flowchart LR', `  ${START}([${START}])`, `  ${END}([${END}])`];
  for (const n of graph.nodes) lines.push(`  ${n.name}["${n.name}<br/><small>${n.type}</small>"]`);
  for (const e of edges) if (e.to.startsWith('router: ')) lines.push(`  ${id(e.to)}{{"${e.to}"}}`);
  for (const e of edges) {
    const label = e.label ? `|"${e.label.replaceAll('"', '#quot;')}"|` : '';
    lines.push(`  ${id(e.from)} ${e.loop ? '-.->' : '-->'}${label} ${id(e.to)}`);
  }
  return lines.join('\n') + '\n';
}

function dot(graph: Graph, edges: DrawnEdge[]): string {
  const lines = ['digraph sygra {', '  rankdir=LR;', `  ${START} [shape=circle];`, `  ${END} [shape=doublecircle];`];
  for (const n of graph.nodes) lines.push(`  "${n.name}" [shape=box, label="${n.name}\\n(${n.type})"];`);
  for (const e of edges) {
    const attrs = [e.label ? `label="${e.label.replaceAll('"', '\\"')}"` : '', e.loop ? 'style=dashed' : ''].filter(Boolean).join(', ');
    lines.push(`  "${e.from}" -> "${e.to}"${attrs ? ` [${attrs}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
