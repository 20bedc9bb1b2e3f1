import type { NumberList } from '../cache/codecs.js';
import type { CacheCounters, ResponseCache } from '../cache/response-cache.js';
import { canonicalJson, canonicalMessages, sha256 } from '../canonical.js';
import { isKind, type CallKind, type Dispatch, type Layer, type ModelCall, type ModelReply } from '../dispatch.js';
import type { ChatRequest, Completion, PromptLogprobs } from '../types.js';
import { completionBody, logprobsRequest } from '../wire.js';

export interface CacheLayerOptions {
  completions: ResponseCache<Completion> | null;
  embeddings: ResponseCache<Float32Array> | null;
  /** Reward scores and prompt log-probabilities. */
  numbers: ResponseCache<NumberList> | null;
  counters: CacheCounters;
  /** The name sent to the server. */
  model: string;
  /** The request keys of this model (see RequestKeys). */
  keys: RequestKeys;
}

/**
 * Identical requests are made once: memory LRU → requests in flight → persistent tiers
 * (disk, Redis) → the rest of the chain. Keys are sha256 over canonical JSON (sorted keys)
 * of everything that decides the answer, never the credentials. The keys are exactly those
 * of earlier versions, so a cache filled by them still answers.
 */
export function cacheLayer(options: CacheLayerOptions): Layer {
  const { counters, keys } = options;
  return (next) =>
    <K extends CallKind>(call: ModelCall<K>): Promise<ModelReply<K>> => {
      const on = next as Dispatch;
      if (isKind(call, 'chat'))
        return lookup(
          options.completions,
          counters,
          () => keys.chat(call.input),
          () => on(call).then(value),
        ) as Promise<ModelReply<K>>;
      if (isKind(call, 'completion')) {
        const key = () => keys.numbers('/completions', completionBody(options.model, call.input));
        return lookup(options.completions, counters, key, () => on(call).then(value)) as Promise<ModelReply<K>>;
      }
      if (isKind(call, 'embedding')) {
        const { text, dimensions } = call.input;
        return lookup(
          options.embeddings,
          counters,
          () => keys.embedding(text, dimensions),
          () => on(call).then(value),
        ) as Promise<ModelReply<K>>;
      }
      if (isKind(call, 'reward')) {
        const key = () => keys.numbers('/pooling', { model: options.model, messages: call.input.messages });
        const reply = lookup(options.numbers, counters, key, () => on(call).then((r) => [r.value]));
        return reply.then((r) => ({ value: r.value[0], cached: r.cached })) as Promise<ModelReply<K>>;
      }
      if (isKind(call, 'prompt_logprobs')) {
        const key = () => keys.numbers('/completions', { model: options.model, ...logprobsRequest(call.input.prompt) });
        const reply = lookup(options.numbers, counters, key, () => on(call).then((r) => pack(r.value)));
        return reply.then((r) => ({ value: unpack(r.value), cached: r.cached })) as Promise<ModelReply<K>>;
      }
      // Batches of embeddings are made of texts looked up one by one above.
      return next(call);
    };
}

const value = <V>(reply: { value: V }): V => reply.value;

/** The value for `key`: from the cache, or loaded (and then cached); says which. */
function lookup<V extends object>(cache: ResponseCache<V> | null, counters: CacheCounters, key: () => string, load: () => Promise<V>): Promise<{ value: V; cached: boolean; coalesced?: true }> {
  let fresh = false;
  const loaded = (): Promise<V> => {
    fresh = true;
    return load();
  };
  // fetch() decides synchronously whether it joins a request in flight, and counts it.
  const joinedBefore = counters.coalesced;
  const found = cache ? cache.fetch(key(), loaded, counters) : (counters.misses++, loaded());
  const coalesced = counters.coalesced > joinedBefore;
  return found.then((v) => (coalesced ? { value: v, cached: true, coalesced: true } : { value: v, cached: !fresh }));
}

/** Requests that named no dimensions were keyed with the mock's default, 256, by earlier versions. */
const UNNAMED_DIMENSIONS = 256;

/** The cache keys of one model's requests. */
export class RequestKeys {
  private readonly identity: string;
  /** Canonical text of each params/response_format/tools object seen, computed once per object. */
  private readonly canonicalOnce = new WeakMap<object, string>();

  constructor(
    private readonly model: string,
    baseUrls: readonly string[],
  ) {
    // Credentials never enter the key, and the same model behind several endpoints is one model.
    this.identity = baseUrls.length === 0 ? 'mock' : [...baseUrls].map(withoutCredentials).sort().join(' ');
  }

  chat(request: ChatRequest): string {
    return sha256(
      [
        this.identity,
        this.model,
        canonicalMessages(request.messages),
        this.canonical(request.params),
        request.response_format ? this.canonical(request.response_format) : '',
        request.tools ? this.canonical(request.tools) : '',
        String(request.sample ?? 0),
      ].join('\u0000'),
    );
  }

  embedding(text: string, dimensions: number | undefined): string {
    return sha256([this.identity, this.model, 'embeddings', String(dimensions ?? UNNAMED_DIMENSIONS), text].join('\u0000'));
  }

  numbers(path: string, payload: Record<string, unknown>): string {
    return sha256([this.identity, path, canonicalJson(payload)].join('\u0000'));
  }

  private canonical(value: object): string {
    let text = this.canonicalOnce.get(value);
    if (text === undefined) {
      text = canonicalJson(value);
      this.canonicalOnce.set(value, text);
    }
    return text;
  }
}

/** Offsets and log-probabilities in one list for the cache: [n, ...offsets, ...logprobs]. */
function pack(p: PromptLogprobs): NumberList {
  return [p.offsets.length, ...p.offsets, ...p.logprobs];
}

function unpack(list: NumberList): PromptLogprobs {
  const n = list[0] as number;
  return { offsets: list.slice(1, 1 + n) as number[], logprobs: list.slice(1 + n, 1 + 2 * n) };
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}
