import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import type { ConfigProblem, KeyPath } from '../config/problems.js';
import { withComputedDefault, type ConfigOf } from '../config/defaults.js';
import type { Graph } from '../graph/graph.js';
import type { JsonObject } from '../record/item.js';
import type { ModelRegistry } from '../llm/models.js';

/** A node asked to drop the record; the reason is written with `--rejected`. */
export class Dropped {
  constructor(
    readonly reason: string,
    /** The inner node that dropped it, when a composite node (a fan-out) passes the drop on. */
    readonly node?: string,
  ) {}
}

/** A record whose next node was decided by the one that produced it (a loop's exit, a subgraph's). */
export class Routed {
  constructor(
    readonly record: JsonObject,
    readonly to: string | null,
  ) {}
}

/** A failure inside a composite node, named after the inner node that failed. */
export class NodeFailure extends Error {
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a node may return for one record. */
export type NodeResult = JsonObject | JsonObject[] | Dropped | null;

export interface RecordContext {
  /** The node's name in the graph. */
  readonly node: string;
  /** Input line number of the record (1-based). */
  readonly line: number;
  /** Input order of the record. */
  readonly seq: number;
}

export type RecordFn = (record: JsonObject, ctx: RecordContext) => NodeResult | Promise<NodeResult>;

/** A node ready to run: its function, and whether the engine must await it. */
export interface CompiledNode {
  run: RecordFn;
  /** Async nodes get a stage of their own with a bounded window of records in flight. */
  async: boolean;
  /** Records in flight at once for an async node. */
  concurrency: number;
  /**
   * False for nodes that never change the record they are given (filters), so an untouched
   * record can be written out as the very line it came from. Defaults to true.
   */
  mutates?: boolean;
  /**
   * The top-level fields the node sets, when it changes nothing else in the record (and
   * returns the record it was given). A record that lacked them is then written as its
   * input line with these fields appended, instead of being stringified whole.
   */
  writes?: readonly string[];
  /**
   * True for nodes whose result for a record depends on the records before it (dedup): the
   * graph cannot be split across worker threads (--threads).
   */
  seesOtherRecords?: boolean;
  /**
   * True for nodes whose work on a record (tens of microseconds: quality rules, n-gram
   * lookups) outweighs handing the record to another thread: `--threads auto` spreads a
   * graph over the cores only when one of its nodes is heavy.
   */
  heavy?: boolean;
}

export interface CompileContext {
  /** The node's name in the graph. */
  readonly name: string;
  /** Folder of the graph file; relative module paths resolve against it. */
  readonly graphDir: string;
  /** Reports a config problem at a key path relative to the node; compilation goes on. */
  report(path: KeyPath, message: string): void;
  /** Notes something that is allowed but likely to go wrong (said by validate and run; no error). */
  warn(path: KeyPath, message: string): void;
  /** The graph's models, for nodes that call one. */
  readonly models: ModelRegistry;
  /** The run's --seed, for nodes that draw at random (per record, never from arrival order). */
  readonly seed: number;
  /** Loads and validates another graph file (subgraphs); include cycles are rejected. */
  include(file: string): Promise<Graph>;
  /** Reports problems found in another file, as they are. */
  reportForeign(problems: readonly ConfigProblem[]): void;
  /** The node's config as the file wrote it, before defaults: for checks about which keys were set. */
  readonly written: JsonObject;
}

/**
 * One node type. Its schema is the single source for validation, the TypeScript config
 * type, the JSON Schema of graph files and the graph reference in docs/graph-file.md.
 */
export interface NodeDefinition<S extends TObject = TObject> {
  readonly type: string;
  readonly description: string;
  readonly schema: S;
  /** `config` was checked against `schema`, and has its defaults filled in. */
  compile(config: ConfigOf<S>, ctx: CompileContext): CompiledNode | undefined | Promise<CompiledNode | undefined>;
}

/** Builds a node config schema: the `type` literal, an optional description, and the node's own keys. */
export function nodeSchema<T extends string, P extends TProperties>(type: T, description: string, properties: P) {
  return Type.Object(
    {
      type: Type.Literal(type),
      description: Type.Optional(Type.String({ description: 'Free text for readers of the graph.' })),
      ...properties,
    },
    { additionalProperties: false, description, title: type },
  );
}

/**
 * `concurrency` of a node that asks a model, declared once so that every such node reads
 * and documents it alike: records in flight at once, by default the model's own limit.
 */
export function modelConcurrency() {
  return withComputedDefault(Type.Integer({ minimum: 1, maximum: 10000, description: 'Records in flight at once.' }), "the model's `concurrency`");
}

/** Keeps the definition's config type tied to its schema. */
export function defineNode<S extends TObject>(definition: NodeDefinition<S>): NodeDefinition<S> {
  return definition;
}

/**
 * A node's config problems, reported at their key paths and counted: compile goes on to
 * find every problem in one pass, then gives up when there were any.
 */
export function problemTally(ctx: Pick<CompileContext, 'report'>): { report: (path: KeyPath, message: string) => void; readonly count: number } {
  const tally = {
    count: 0,
    report(path: KeyPath, message: string): void {
      tally.count++;
      ctx.report(path, message);
    },
  };
  return tally;
}
