import type { JsonObject } from '../engine/item.js';
import type { RecordShaper } from '../formats/shape-record.js';
import type { ModelRegistry } from '../llm/models.js';
import type { OasstOptions } from '../oasst/convert.js';
import type { CompiledNode } from '../nodes/definition.js';

export const START = 'START';
export const END = 'END';

export interface GraphNode {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
  readonly compiled: CompiledNode;
}

/** A validated, compiled graph: nodes in topological order and where each one leads. */
export interface Graph {
  readonly file: string;
  readonly dir: string;
  /** Nodes in topological order (ties keep the order written). */
  readonly nodes: readonly GraphNode[];
  /** The first node a record visits; null for a graph that passes records straight through. */
  readonly entry: string | null;
  /** Node → next node; null is END. */
  readonly next: ReadonlyMap<string, string | null>;
  /** The models the nodes call (created when a node first names one). */
  readonly models: ModelRegistry;
  /** `source: {type: oasst}`: input lines are OASST data, turned into conversations first. */
  readonly source: OasstOptions | null;
  /** `output:`: how records are shaped (and checked) before they are written. */
  readonly output: RecordShaper | null;
}
