import type { ConfigProblem } from '../config/problems.js';
import type { RecordShaper } from '../formats/shape-record.js';
import type { JsonObject } from '../record/item.js';
import type { ModelRegistry } from '../llm/models.js';
import type { CompiledNode, RecordContext } from '../nodes/definition.js';
import type { OasstOptions } from '../oasst/convert.js';
import type { LoopSpec, RouteSpec } from './topology.js';

export const START = 'START';
export const END = 'END';

export interface GraphNode {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
  readonly compiled: CompiledNode;
}

/** The next node for a record (null is END), or why there is none. */
export type NextStep = string | null | { error: string };
export type Route = (record: JsonObject, ctx: RecordContext) => NextStep;

/** A bounded loop, ready to run: `until` is compiled. */
export interface CompiledLoop {
  readonly head: string;
  readonly tail: string;
  readonly max: number;
  readonly until: ((record: JsonObject, ctx: RecordContext) => unknown) | null;
  readonly untilSource: string | null;
  readonly onMax: string | null | 'error' | undefined;
  readonly body: readonly string[];
}

/** A join module: the records the branches delivered, by branch (its first node's name), and the record as it left the fan-out. */
export type JoinFunction = (branches: Record<string, JsonObject>, input: JsonObject, ctx: RecordContext) => JsonObject | null | Promise<JsonObject | null>;

/** A fan-out and its join, ready to run. */
export interface CompiledFanout {
  /** The node the branches leave from, or START. */
  readonly from: string;
  /** Each branch's first node, in the order written; the first names the block on the bus. */
  readonly heads: readonly string[];
  /** The node after the join; null is END. */
  readonly join: string | null;
  readonly branches: ReadonlyArray<{ readonly head: string; readonly body: readonly string[] }>;
  readonly merge: 'deep' | 'branches' | JoinFunction;
  /** The merge as written, for drawing and messages. */
  readonly mergeName: string;
  readonly onBranchError: 'error' | 'drop_branch';
  readonly onBranchFiltered: 'drop' | 'keep_others';
}

/** A validated, compiled graph. */
export interface Graph {
  readonly file: string;
  readonly dir: string;
  /** sha256 of the graph file's bytes. */
  readonly sha256: string;
  /** Nodes in topological order of the forward edges (ties keep the order written). */
  readonly nodes: readonly GraphNode[];
  /** The first node a record visits; null for a graph that passes records straight through. */
  readonly entry: string | null;
  /** Where a record goes after each node (loops aside). */
  readonly routes: ReadonlyMap<string, Route>;
  readonly loops: readonly CompiledLoop[];
  /** Fan-outs with their joins; their branches' nodes run inside them. */
  readonly fanouts: readonly CompiledFanout[];
  /** The edges as declared, for drawing. */
  readonly routeSpecs: ReadonlyMap<string, RouteSpec>;
  readonly loopSpecs: readonly LoopSpec[];
  /** The models the nodes call (created when a node first names one). */
  readonly models: ModelRegistry;
  /** `source: {type: oasst}`: input lines are OASST data, turned into conversations first. */
  readonly source: OasstOptions | null;
  /** `output:`: how records are shaped (and checked) before they are written. */
  readonly output: RecordShaper | null;
  /** What is allowed but likely to go wrong, located like problems. */
  readonly warnings: readonly ConfigProblem[];
}
