import { END, START, type Graph } from './graph.js';

export type GraphFormat = 'mermaid' | 'dot';

/** Draws the graph for docs and reviews: Mermaid (renders on GitHub) or Graphviz DOT. */
export function renderGraph(graph: Graph, format: GraphFormat): string {
  const edges: Array<[string, string]> = [];
  edges.push([START, graph.entry ?? END]);
  for (const node of graph.nodes) edges.push([node.name, graph.next.get(node.name) ?? END]);
  return format === 'mermaid' ? mermaid(graph, edges) : dot(graph, edges);
}

function mermaid(graph: Graph, edges: Array<[string, string]>): string {
  const lines = ['flowchart LR', `  ${START}([${START}])`, `  ${END}([${END}])`];
  for (const n of graph.nodes) lines.push(`  ${n.name}["${n.name}<br/><small>${n.type}</small>"]`);
  for (const [from, to] of edges) lines.push(`  ${from} --> ${to}`);
  return lines.join('\n') + '\n';
}

function dot(graph: Graph, edges: Array<[string, string]>): string {
  const lines = ['digraph sygra {', '  rankdir=LR;', `  ${START} [shape=circle];`, `  ${END} [shape=doublecircle];`];
  for (const n of graph.nodes) lines.push(`  "${n.name}" [shape=box, label="${n.name}\\n(${n.type})"];`);
  for (const [from, to] of edges) lines.push(`  "${from}" -> "${to}";`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
