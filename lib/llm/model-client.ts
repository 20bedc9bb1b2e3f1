import type { BackoffOptions } from './backoff.js';
import type { Budget, Price } from './budget.js';
import type { NumberList } from './cache/codecs.js';
import type { ResponseCache } from './cache/response-cache.js';
import { compose, type Dispatch, type Layer, type Transport } from './dispatch.js';
import { batchEmbeddingsLayer } from './layers/batch-embeddings.js';
import { breakerLayer } from './layers/breaker.js';
import { budgetLayer } from './layers/budget.js';
import { cacheLayer, RequestKeys } from './layers/cache.js';
import { limitLayer } from './layers/limit.js';
import { meterLayer } from './layers/meter.js';
import { retryLayer } from './layers/retry.js';
import { traceLayer } from './layers/trace.js';
import { requestLogLayers } from './layers/log.js';
import type { RequestLog } from './request-log.js';
import { RequestLimiter } from './limiter.js';
import { dryRunTransport } from './transports/dry-run.js';
import { mockTransport } from './transports/mock.js';
import { openAiConnection, openAiTransport, type OpenAiTransportOptions } from './transports/openai.js';
import { anthropicConnection, anthropicTransport, type AnthropicTransportOptions } from './transports/anthropic.js';
import { batchTransport } from './transports/batch.js';
import { anthropicBatchApi } from './batch/anthropic-batch.js';
import { openAiBatchApi } from './batch/openai-batch.js';
import { BatchJournal } from './batch/batch-journal.js';
import { canonicalJson, sha256 } from './canonical.js';
import { redactUrl } from '../config/redact-url.js';
import { join } from 'node:path';
import type { ProxySettings } from './transports/http.js';
import type { ChatMessage, ChatRequest, Completion, CompletionRequest, PromptLogprobs } from './types.js';
import { ModelUsage } from './usage.js';
import { alternated } from './alternation.js';
import { traceStorage } from '../record/trace.js';
import type { WireRequest } from './wire.js';

/** A model entry with every default applied and its endpoint decided. */
export interface ResolvedModel {
  /** The name in the graph file. */
  name: string;
  /** The name sent to the server. */
  model: string;
  provider: 'mock' | 'openai' | 'azure' | 'anthropic';
  baseUrls: string[];
  apiKey?: string;
  /** provider azure: the deployment called. */
  deployment?: string;
  /** `headers:`, values read from the environment at load; secrets, never shown. */
  headers: Record<string, string>;
  /** `query:` and Azure's api-version, encoded for a URL. */
  query?: string;
  /** The environment's HTTP(S)_PROXY and NO_PROXY. */
  proxy?: ProxySettings;
  /** `ca_file:`, resolved against the graph's folder. */
  caFile?: string;
  params: Record<string, unknown>;
  concurrency: number;
  rpm?: number;
  tpm?: number;
  timeoutMs: number;
  retries: number;
  /** A failing request is retried for at least this long; the breaker opens only after failures this long. */
  retryWindowMs: number;
  balance: 'least_outstanding' | 'round_robin';
  /** Texts per /embeddings request. */
  embeddingBatch: number;
  price?: Price;
  /** strict_alternation: a request starts with a user turn (this one, when it would not) and alternates; null when off. */
  seedTurn: string | null;
  /** `batch: true`: chat requests go through the provider's batch API. */
  batch?: { windowMs: number; pollMs: number };
  /** Where `price` came from (the graph, or the built-in table and its date); null without one. */
  priceSource?: string | null;
}

export interface ModelClientDeps {
  cache: ResponseCache<Completion> | null;
  embeddingCache?: ResponseCache<Float32Array> | null;
  /** Reward scores and prompt log-probabilities. */
  numberCache?: ResponseCache<NumberList> | null;
  /** Called once when the circuit breaker opens: the run should stop taking records. */
  onFatal: (message: string) => void;
  breakerThreshold?: number;
  backoff?: BackoffOptions;
  /** --max-cost / --max-requests, shared by every model of the run. */
  budget?: Budget;
  /** --dry-run: record the request, answer with the mock, send nothing. */
  dryRun?: (model: string, request: WireRequest | Record<string, unknown>) => void;
  /** Where batch models keep the batches they submitted (in the cache folder); none without one. */
  batchDir?: string | null;
  /** --log-requests: every attempt at a chat or completion call, one line each (and cache answers with --log-cache-hits). */
  requestLog?: RequestLog;
}

/**
 * One model, as the nodes see it: chat, embed, reward, promptLogprobs. Each call goes
 * down a chain of layers to a transport (see `chain`); a node never knows which.
 */
export class ModelClient {
  readonly usage: ModelUsage;
  private readonly transport: Transport;
  private readonly dispatch: Dispatch;
  private readonly instant: { cache: ResponseCache<Completion>; keys: RequestKeys } | null;
  /** The model's params merged under each node's params object, merged once per object. */
  private readonly mergedParams = new WeakMap<object, Record<string, unknown>>();
  /** `params.dimensions` when the model names it: the vector length asked for. */
  private readonly dimensions: number | undefined;

  constructor(
    readonly spec: ResolvedModel,
    deps: ModelClientDeps,
  ) {
    this.usage = new ModelUsage(spec.price, spec.priceSource ?? (spec.price ? 'graph' : null));
    this.dimensions = typeof spec.params.dimensions === 'number' ? spec.params.dimensions : undefined;
    const keys = new RequestKeys(spec.model, spec.provider === 'mock' ? [] : spec.baseUrls);
    const { transport, layers } = chain(spec, deps, this.usage, keys);
    // Answers at hand skip the layers only where no layer acts on a cache hit: not in a dry
    // run (which answers everything itself) and not with --log-requests (which logs hits).
    this.instant = deps.cache && !deps.dryRun && !deps.requestLog ? { cache: deps.cache, keys } : null;
    this.transport = transport;
    this.dispatch = compose(transport.dispatch, layers);
  }

  /**
   * The answer to `request` when a cache tier has it at hand (memory, or the open disk
   * tier), counted as chat() counts a hit; else undefined, and the caller goes through
   * chat(). A warm run thus answers a record with no promise, no turn of the event loop.
   * Not for calls under --provenance, whose trace layer notes each one.
   */
  cachedChat(request: ChatRequest): Completion | undefined {
    if (this.instant === null || traceStorage.getStore() !== undefined) return undefined;
    return this.instant.cache.peek(this.instant.keys.chat(this.withDefaults(request)), this.usage.cache);
  }

  chat(request: ChatRequest): Promise<Completion> {
    return this.dispatch({ kind: 'chat', input: this.withDefaults(request) }).then((r) => r.value);
  }

  /** A raw completion of `prompt` (`/completions`): no chat template is applied by the server. */
  complete(request: CompletionRequest): Promise<Completion> {
    let params = this.mergedParams.get(request.params);
    if (!params) {
      params = { ...this.spec.params, ...request.params };
      this.mergedParams.set(request.params, params);
    }
    return this.dispatch({ kind: 'completion', input: { ...request, params } }).then((r) => r.value);
  }

  /**
   * The embedding of one text. Cached like chat answers; the misses of one turn of the
   * event loop go out together, `embeddingBatch` texts to a request.
   */
  embed(text: string): Promise<Float32Array> {
    return this.dispatch({ kind: 'embedding', input: { text, dimensions: this.dimensions } }).then((r) => r.value);
  }

  /** A reward model's score for a conversation (vLLM's /pooling). Cached. */
  reward(messages: ChatMessage[]): Promise<number> {
    return this.dispatch({ kind: 'reward', input: { messages } }).then((r) => r.value);
  }

  /** Log-probabilities of a prompt's tokens (/completions with echo). Cached. */
  promptLogprobs(prompt: string): Promise<PromptLogprobs> {
    return this.dispatch({ kind: 'prompt_logprobs', input: { prompt } }).then((r) => r.value);
  }

  /** Checks each endpoint answers before any record is read; returns problems. */
  preflight(): Promise<string[]> {
    return this.transport.preflight();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private withDefaults(request: ChatRequest): ChatRequest {
    let params = this.mergedParams.get(request.params);
    if (!params) {
      params = { ...this.spec.params, ...request.params };
      this.mergedParams.set(request.params, params);
    }
    const messages = this.spec.seedTurn === null ? request.messages : alternated(request.messages, this.spec.seedTurn);
    return { ...request, params, messages };
  }
}

/**
 * The layers of one model, outermost first, and the transport under them:
 *
 *   trace → cache → batch embeddings → budget → retry → breaker → limiter → meter → HTTP
 *
 * The mock needs no pacing, retries or breaker; a dry run records each chat request and
 * answers it with the mock, touching no cache, budget or counter.
 */
function chain(spec: ResolvedModel, deps: ModelClientDeps, usage: ModelUsage, keys: RequestKeys): { transport: Transport; layers: Layer[] } {
  const batch = batchEmbeddingsLayer(spec.embeddingBatch);
  if (deps.dryRun) return { transport: dryRunTransport(spec.name, spec.model, deps.dryRun, spec.provider), layers: [batch] };
  // --log-requests: a line per attempt from under the retry layer; answers that sent no request, from the top (when asked).
  const log = deps.requestLog ? requestLogLayers({ log: deps.requestLog, model: spec.name, provider: spec.provider, price: spec.price }) : null;
  const attemptLog = log ? [log.attempt] : [];
  const layers: Layer[] = [
    ...(log ? [log.top] : []),
    traceLayer(spec.name),
    cacheLayer({
      completions: deps.cache,
      embeddings: deps.embeddingCache ?? null,
      numbers: deps.numberCache ?? null,
      counters: usage.cache,
      model: spec.model,
      keys,
    }),
    batch,
  ];
  if (deps.budget) layers.push(budgetLayer(deps.budget, spec.price));
  if (spec.provider === 'mock') return { transport: mockTransport(spec.model), layers: [...layers, ...attemptLog, meterLayer(usage)] };
  const limiter = new RequestLimiter({ concurrency: spec.concurrency, rpm: spec.rpm, tpm: spec.tpm });
  const http = {
    name: spec.name,
    model: spec.model,
    baseUrls: spec.baseUrls,
    apiKey: spec.apiKey,
    headers: spec.headers,
    query: spec.query,
    proxy: spec.proxy,
    caFile: spec.caFile,
    timeoutMs: spec.timeoutMs,
    connections: spec.concurrency,
    balance: spec.balance,
    onRateLimit: (until: number) => limiter.pauseUntil(until),
  };
  // Providers differ only here, in the transport: the layers above are the same for all.
  const direct =
    spec.provider === 'anthropic' ? anthropicTransport(http) : openAiTransport({ ...http, ...(spec.provider === 'azure' ? { azure: { deployment: spec.deployment ?? spec.model } } : {}) });
  const transport = spec.batch ? batchTransportOf(spec, spec.batch, http, direct, deps.batchDir ?? null, usage) : direct;
  layers.push(
    retryLayer({ retries: spec.retries, windowMs: spec.retryWindowMs, backoff: deps.backoff ?? { baseMs: 250, capMs: 20_000 }, usage }),
    breakerLayer({ model: spec.name, threshold: deps.breakerThreshold ?? 20, windowMs: spec.retryWindowMs, onFatal: deps.onFatal }),
    limitLayer(limiter),
    ...attemptLog,
    meterLayer(usage),
  );
  return { transport, layers };
}

/** A batch model's transport: chat through the provider's batch API, the rest direct. */
function batchTransportOf(
  spec: ResolvedModel,
  batch: { windowMs: number; pollMs: number },
  http: OpenAiTransportOptions & AnthropicTransportOptions,
  direct: Transport,
  batchDir: string | null,
  usage: ModelUsage,
): Transport {
  const api = spec.provider === 'anthropic' ? anthropicBatchApi(spec.model, anthropicConnection(http)) : openAiBatchApi(spec.model, openAiConnection(http));
  // One journal per provider, endpoint and model: a batch is only ever polled where it was sent.
  const key = sha256(canonicalJson({ provider: spec.provider, urls: spec.baseUrls.map(redactUrl), model: spec.model })).slice(0, 16);
  usage.batches ??= new Map();
  return batchTransport({
    name: spec.name,
    api,
    journal: () => (batchDir ? BatchJournal.open(join(batchDir, `${key}.jsonl`)) : Promise.resolve(null)),
    direct,
    windowMs: batch.windowMs,
    pollMs: batch.pollMs,
    batches: usage.batches,
  });
}
