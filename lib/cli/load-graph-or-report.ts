import { ConfigError, formatProblem } from '../config/problems.js';
import type { Graph } from '../graph/graph.js';
import { loadGraph } from '../graph/load.js';
import type { ModelRuntime } from '../llm/models.js';
import type { Terminal } from './terminal.js';

/** Loads a graph; on problems, prints each as one line on stderr and returns null. */
export async function loadGraphOrReport(file: string, term: Terminal, runtime?: ModelRuntime, seed?: number): Promise<Graph | null> {
  try {
    const graph = await loadGraph(file, runtime, seed);
    for (const w of graph.warnings) term.stderr.write(`${formatProblem({ ...w, message: `warning: ${w.message}` })}\n`);
    return graph;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) term.stderr.write(`${formatProblem(p)}\n`);
    const n = err.problems.length;
    term.stderr.write(`sygra-stream: ${n} problem${n === 1 ? '' : 's'} in ${file}\n`);
    return null;
  }
}
