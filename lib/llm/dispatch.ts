import type { ChatMessage, ChatRequest, Completion, CompletionRequest, PromptLogprobs, TokenUsage } from './types.js';

/**
 * The vocabulary of the model client's layers, in the manner of undici's interceptors: a
 * call goes down a chain of layers (cache, budget, retry, breaker, limiter, meter), each a
 * function of the next, to a transport that answers it (HTTP, the mock, a dry run).
 */

/** What each kind of call carries. */
export interface CallInputs {
  /** A chat completion; params are already merged model → node. */
  chat: ChatRequest;
  /** One text's embedding: batched with others of the same turn into `embeddings`. */
  embedding: { text: string; dimensions?: number };
  embeddings: { texts: string[]; dimensions?: number };
  /** A reward model's score for a conversation. */
  reward: { messages: ChatMessage[] };
  /** Log-probabilities of a prompt's tokens. */
  prompt_logprobs: { prompt: string };
  /** A raw text completion (no chat template applied by the server): `POST /completions`. */
  completion: CompletionRequest;
}

/** What each kind of call answers. */
export interface CallValues {
  chat: Completion;
  embedding: Float32Array;
  embeddings: Float32Array[];
  reward: number;
  prompt_logprobs: PromptLogprobs;
  completion: Completion;
}

export type CallKind = keyof CallInputs;

export interface ModelCall<K extends CallKind = CallKind> {
  kind: K;
  input: CallInputs[K];
}

export interface ModelReply<K extends CallKind = CallKind> {
  value: CallValues[K];
  /** Tokens the call used, as the server reported them (or estimated); absent when not counted. */
  usage?: TokenUsage;
  /** Answered by a cache (or by a request for the same key already in flight). */
  cached?: boolean;
  /** Answered by joining a request for the same key already in flight. */
  coalesced?: boolean;
}

/** Sends a call down the rest of the chain. */
export type Dispatch = <K extends CallKind>(call: ModelCall<K>) => Promise<ModelReply<K>>;

/** One concern of the client, wrapped around the rest of the chain. */
export type Layer = (next: Dispatch) => Dispatch;

/** Where a chain ends: answers calls, checks its endpoints, and lets go of its connections. */
export interface Transport {
  readonly dispatch: Dispatch;
  /** Problems reaching the endpoints, checked before any record is read. */
  preflight(): Promise<string[]>;
  close(): Promise<void>;
}

/** `layers` around `transport`, outermost first. */
export function compose(transport: Dispatch, layers: readonly Layer[]): Dispatch {
  return layers.reduceRight<Dispatch>((next, layer) => layer(next), transport);
}

/** One handler per kind of call. */
export type Handlers = { [K in CallKind]: (input: CallInputs[K]) => Promise<ModelReply<K>> };

/** A dispatch that hands each call to the handler of its kind. */
export function byKind(handlers: Handlers): Dispatch {
  // The one cast of the chain: TypeScript cannot tie a handler's answer to the generic kind.
  return (call) => (handlers[call.kind] as (input: CallInputs[typeof call.kind]) => Promise<ModelReply<typeof call.kind>>)(call.input) as never;
}

/** Calls of some kinds go to `handle`, the others down the chain untouched. */
export function forKinds<K extends CallKind>(kinds: readonly K[], handle: (call: ModelCall<K>, next: Dispatch) => Promise<ModelReply<K>>): Layer {
  const mine = new Set<CallKind>(kinds);
  return (next) => (call) => (mine.has(call.kind) ? (handle(call as unknown as ModelCall<K>, next) as never) : next(call));
}

/** Narrows a call to one kind. */
export function isKind<K extends CallKind>(call: ModelCall, kind: K): call is ModelCall<K> {
  return call.kind === kind;
}
