import { AsyncLocalStorage } from 'node:async_hooks';

/** What --provenance gathers about one record on its way through the graph. */
export interface RecordTrace {
  /** Nodes the record went through, in order. */
  path: string[];
  models: Set<string>;
  tokens: number;
  llmCalls: number;
  /** Model calls answered from a cache tier (or by joining an identical request in flight). */
  cached: number;
  /** performance.now() when the record entered the graph. */
  started: number;
}

export function newTrace(): RecordTrace {
  return { path: [], models: new Set(), tokens: 0, llmCalls: 0, cached: 0, started: performance.now() };
}

export function copyTrace(t: RecordTrace): RecordTrace {
  return { ...t, path: [...t.path], models: new Set(t.models) };
}

/**
 * The trace of the record a node is working on, carried through its async calls, so a
 * model call is counted for the record that caused it. Set only with --provenance.
 */
export const traceStorage = new AsyncLocalStorage<RecordTrace>();

export function runTraced<T>(trace: RecordTrace | undefined, fn: () => T): T {
  return trace ? traceStorage.run(trace, fn) : fn();
}

/** Where a model call comes from, for --log-requests: the node, and the record's input line and id. */
export interface CallSite {
  node: string;
  line: number;
  id?: string;
}

/** The call site of the node run a model call belongs to. Set only while `callSites.enabled`. */
export const callSites = Object.assign(new AsyncLocalStorage<CallSite>(), { enabled: false });

/** Runs a node for a record inside its call site (when calls are logged). */
export function runAt<T>(site: CallSite, fn: () => T): T {
  return callSites.enabled ? callSites.run(site, fn) : fn();
}
