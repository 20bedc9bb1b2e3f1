import { setTimeout as sleep } from 'node:timers/promises';
import type { ResponseCache } from './cache/response-cache.js';
import { canonicalJson, canonicalMessages, sha256 } from './canonical.js';
import { HttpTransport, TransportError } from './http-transport.js';
import { traceStorage } from '../record/trace.js';
import { RequestLimiter } from './limiter.js';
import { EmbeddingBatcher } from './embedding-batcher.js';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './mock-embedding.js';
import { mockPromptLogprobs, mockReward, type PromptLogprobs } from './mock-scores.js';
import type { NumberList } from './cache/codecs.js';
import { estimateTokens, mockCompletion, type WireRequest } from './mock-model.js';
import { retryDelayMs, type BackoffOptions } from './retry.js';
import { costOf, type Budget, type Price } from './budget.js';
import type { ChatMessage, ChatRequest, Completion } from './types.js';
import { ModelUsage } from './usage.js';

/** A model entry with every default applied and its endpoint decided. */
export interface ResolvedModel {
  /** The name in the graph file. */
  name: string;
  /** The name sent to the server. */
  model: string;
  provider: 'mock' | 'openai';
  baseUrls: string[];
  apiKey?: string;
  params: Record<string, unknown>;
  concurrency: number;
  rpm?: number;
  tpm?: number;
  timeoutMs: number;
  retries: number;
  balance: 'least_outstanding' | 'round_robin';
  /** Texts per /embeddings request. */
  embeddingBatch: number;
  price?: Price;
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
  dryRun?: (model: string, request: WireRequest) => void;
}

/** Raised for every request once the model's circuit breaker has opened. */
export class ModelUnavailableError extends Error {}

/**
 * One model: cache (memory → disk) → limiter → HTTP with retries, or the built-in mock.
 * Retries, backoff and the circuit breaker all live here.
 */
export class ModelClient {
  readonly usage: ModelUsage;
  private readonly limiter: RequestLimiter;
  /** HTTP models only: opened on first use (undici loads then, so mock-only runs start faster). */
  private transport: Promise<HttpTransport> | null = null;
  private readonly identity: string;
  /** Canonical text of each params/response_format object seen, computed once per object. */
  private readonly canonicalOnce = new WeakMap<object, string>();
  /** The model's params merged under each node's params object, merged once per object. */
  private readonly mergedParams = new WeakMap<object, Record<string, unknown>>();
  private readonly embeddings: EmbeddingBatcher;
  private serverFaultsInARow = 0;
  private brokenBecause: string | null = null;

  constructor(
    readonly spec: ResolvedModel,
    private readonly deps: ModelClientDeps,
  ) {
    this.usage = new ModelUsage(spec.price);
    this.limiter = new RequestLimiter({ concurrency: spec.concurrency, rpm: spec.rpm, tpm: spec.tpm });
    // Credentials never enter the key, and the same model behind several endpoints is one model.
    this.identity = spec.provider === 'mock' ? 'mock' : [...spec.baseUrls].map(withoutCredentials).sort().join(' ');
    this.embeddings = new EmbeddingBatcher(spec.embeddingBatch, (texts) => this.fetchEmbeddings(texts));
  }

  /**
   * The cache key of a request: sha256 over the canonical JSON (sorted keys) of the
   * endpoint (without credentials), model, messages, params, response_format, tools and
   * sample index. Parts that a node sends unchanged with every record are made canonical
   * once.
   */
  cacheKey(request: ChatRequest): string {
    const full = this.withDefaults(request);
    return sha256(
      [
        this.identity,
        this.spec.model,
        canonicalMessages(full.messages),
        this.canonical(full.params),
        full.response_format ? this.canonical(full.response_format) : '',
        full.tools ? this.canonical(full.tools) : '',
        String(full.sample ?? 0),
      ].join('\u0000'),
    );
  }

  private canonical(value: object): string {
    let text = this.canonicalOnce.get(value);
    if (text === undefined) {
      text = canonicalJson(value);
      this.canonicalOnce.set(value, text);
    }
    return text;
  }

  async chat(request: ChatRequest): Promise<Completion> {
    if (this.deps.dryRun) {
      const payload = this.payload(this.withDefaults(request));
      this.deps.dryRun(this.spec.name, payload);
      return mockCompletion(payload);
    }
    const trace = traceStorage.getStore();
    let fresh = false;
    const load = (): Promise<Completion> => {
      fresh = true;
      return this.fetchFresh(this.withDefaults(request));
    };
    let answer: Promise<Completion>;
    if (!this.deps.cache) {
      this.usage.cache.misses++;
      answer = load();
    } else answer = this.deps.cache.fetch(this.cacheKey(request), load, this.usage.cache);
    if (!trace) return answer;
    return answer.then((c) => {
      trace.models.add(this.spec.name);
      trace.llmCalls++;
      trace.tokens += c.usage.prompt_tokens + c.usage.completion_tokens;
      if (!fresh) trace.cached++;
      return c;
    });
  }

  /**
   * The embedding of one text. Cached like chat answers (key: endpoint, model, dimensions,
   * text); the misses of one turn of the event loop go out together, `embeddingBatch` texts
   * to a request.
   */
  embed(text: string): Promise<Float32Array> {
    if (this.deps.dryRun) return Promise.resolve(mockEmbedding(text, this.dimensions()));
    const load = (): Promise<Float32Array> => this.embeddings.embed(text);
    const cache = this.deps.embeddingCache;
    if (!cache) {
      this.usage.cache.misses++;
      return load();
    }
    const key = sha256([this.identity, this.spec.model, 'embeddings', String(this.dimensions()), text].join('\u0000'));
    return cache.fetch(key, load, this.usage.cache);
  }

  /**
   * A reward model's score for a conversation: `POST {base_url}/pooling` with the messages
   * (vLLM's API for reward models), the first number of `data[0].data`. Cached.
   */
  async reward(messages: ChatMessage[]): Promise<number> {
    const payload = { model: this.spec.model, messages };
    const [score] = await this.numbers(
      '/pooling',
      payload,
      async () => [mockReward(messages)],
      (body) => [parseReward(body)],
    );
    return score as number;
  }

  /**
   * Log-probabilities of a prompt's tokens, from `POST {base_url}/completions` with
   * `echo: true, logprobs: 1, max_tokens: 1` (vLLM and other OpenAI-compatible servers
   * return them for the prompt). Cached.
   */
  async promptLogprobs(prompt: string): Promise<PromptLogprobs> {
    const payload = { model: this.spec.model, prompt, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 };
    const packed = await this.numbers(
      '/completions',
      payload,
      async () => pack(mockPromptLogprobs(prompt)),
      (body) => pack(parsePromptLogprobs(body, prompt)),
    );
    return unpack(packed);
  }

  private numbers(path: string, payload: Record<string, unknown>, mock: () => Promise<NumberList>, parse: (body: unknown) => NumberList): Promise<NumberList> {
    const load = (): Promise<NumberList> =>
      this.withinBudget(
        0,
        async () => {
          if (this.spec.provider === 'mock' || this.deps.dryRun) {
            this.checkAvailable();
            this.usage.started();
            const v = await mock();
            this.usage.ended(0);
            return v;
          }
          return this.exchange(path, payload, 64, (body) => ({ value: parse(body) }));
        },
        () => 0,
      );
    const cache = this.deps.numberCache;
    if (!cache) {
      this.usage.cache.misses++;
      return load();
    }
    return cache.fetch(sha256([this.identity, path, canonicalJson(payload)].join('\u0000')), load, this.usage.cache);
  }

  /** Checks each endpoint answers before any record is read; returns problems. */
  async preflight(): Promise<string[]> {
    if (this.spec.provider === 'mock') return [];
    const transport = await this.http();
    const problems: string[] = [];
    for (const endpoint of transport.endpoints) {
      const res = await transport.probe(endpoint, '/models');
      if ('error' in res) problems.push(`model "${this.spec.name}": cannot reach ${endpoint.url}: ${res.error}`);
      else if (res.status === 401 || res.status === 403) {
        problems.push(`model "${this.spec.name}": ${endpoint.url} refused the credentials (HTTP ${res.status}); check the API key variable`);
      }
    }
    return problems;
  }

  async close(): Promise<void> {
    await (await this.transport)?.close();
  }

  private withDefaults(request: ChatRequest): ChatRequest {
    let params = this.mergedParams.get(request.params);
    if (!params) {
      params = { ...this.spec.params, ...request.params };
      this.mergedParams.set(request.params, params);
    }
    return { ...request, params };
  }

  private async fetchFresh(request: ChatRequest): Promise<Completion> {
    const maxTokens = typeof request.params.max_tokens === 'number' ? request.params.max_tokens : 512;
    const worst = costOf(this.spec.price, estimateTokens(request.messages), maxTokens);
    return this.withinBudget(
      worst,
      () => this.fetchCompletion(request),
      (c) => costOf(this.spec.price, c.usage.prompt_tokens, c.usage.completion_tokens),
    );
  }

  /** Runs one model call inside the run's budget: reserved before, settled after. */
  private async withinBudget<T>(worst: number, call: () => Promise<T>, actual: (result: T) => number): Promise<T> {
    const budget = this.deps.budget;
    if (!budget) return call();
    budget.admit(worst);
    let cost = 0;
    try {
      const result = await call();
      cost = actual(result);
      return result;
    } finally {
      budget.settle(worst, cost);
    }
  }

  private async fetchCompletion(request: ChatRequest): Promise<Completion> {
    if (this.spec.provider === 'mock') {
      this.checkAvailable();
      this.usage.started();
      const completion = mockCompletion(this.payload(request));
      this.usage.ended(0);
      this.count(completion.usage.prompt_tokens, completion.usage.completion_tokens);
      return completion;
    }
    const estimate = estimateTokens(request.messages) + (typeof request.params.max_tokens === 'number' ? request.params.max_tokens : 256);
    const completion = await this.exchange('/chat/completions', this.payload(request), estimate, (body) => parseCompletion(body, request));
    this.count(completion.usage.prompt_tokens, completion.usage.completion_tokens);
    return completion;
  }

  private async fetchEmbeddings(texts: string[]): Promise<Float32Array[]> {
    const tokens = Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);
    const worst = costOf(this.spec.price, tokens, 0);
    return this.withinBudget(
      worst,
      () => this.fetchVectors(texts),
      () => worst,
    );
  }

  private async fetchVectors(texts: string[]): Promise<Float32Array[]> {
    const dimensions = this.dimensions();
    if (this.spec.provider === 'mock') {
      this.checkAvailable();
      this.usage.started();
      const vectors = texts.map((t) => mockEmbedding(t, dimensions));
      this.usage.ended(0);
      this.count(Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4), 0);
      return vectors;
    }
    const payload: Record<string, unknown> = { model: this.spec.model, input: texts };
    if (typeof this.spec.params.dimensions === 'number') payload.dimensions = this.spec.params.dimensions;
    const estimate = Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);
    const { vectors, promptTokens } = await this.exchange('/embeddings', payload, estimate, (body) => parseEmbeddings(body, texts.length));
    this.count(promptTokens ?? estimate, 0);
    return vectors;
  }

  /** Vector length asked of the model: `params.dimensions`, else the mock's default. */
  private dimensions(): number {
    return typeof this.spec.params.dimensions === 'number' ? this.spec.params.dimensions : MOCK_EMBEDDING_DIMENSIONS;
  }

  private http(): Promise<HttpTransport> {
    const { baseUrls, apiKey, timeoutMs, concurrency, balance } = this.spec;
    this.transport ??= HttpTransport.open(baseUrls, { apiKey, timeoutMs, connections: concurrency, balance });
    return this.transport;
  }

  private checkAvailable(): void {
    if (this.brokenBecause) throw new ModelUnavailableError(`model "${this.spec.name}" is unavailable: ${this.brokenBecause}`);
  }

  /**
   * One POST with the limiter, retries (full jitter, Retry-After) and the circuit breaker;
   * `parse` turns the answer's JSON into the result or throws a retryable TransportError.
   */
  private async exchange<T>(path: string, payload: unknown, estimate: number, parse: (body: unknown) => { value: T; usedTokens?: number }): Promise<T> {
    this.checkAvailable();
    const transport = await this.http();
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire(estimate);
      const endpoint = transport.pick();
      const began = performance.now();
      this.usage.started();
      let used: number | undefined;
      let delay: number;
      try {
        const body = await transport.postJson(endpoint, path, payload, (hint) => this.limiter.pauseUntil(hint.pauseUntil));
        const parsed = parse(body);
        used = parsed.usedTokens;
        this.serverFaultsInARow = 0;
        return parsed.value;
      } catch (err) {
        const fault = err instanceof TransportError ? err : new TransportError(String((err as Error).message ?? err), false, false);
        if (fault.serverFault && ++this.serverFaultsInARow >= (this.deps.breakerThreshold ?? 20)) this.trip(fault.message);
        if (this.brokenBecause || !fault.retryable || attempt >= this.spec.retries) {
          this.usage.failures++;
          throw new Error(attempt > 0 ? `${fault.message} (gave up after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})` : fault.message);
        }
        this.usage.retries++;
        delay = retryDelayMs(attempt, fault.retryAfterMs, this.deps.backoff ?? { baseMs: 250, capMs: 20_000 });
      } finally {
        this.usage.ended(performance.now() - began);
        this.limiter.release(estimate, used);
      }
      await sleep(delay);
    }
  }

  private payload(request: ChatRequest): WireRequest {
    const body: WireRequest = { ...request.params, model: this.spec.model, messages: request.messages };
    if (request.response_format) body.response_format = request.response_format;
    if (request.tools) body.tools = request.tools;
    // Distinct samples of one prompt: a distinct seed each, so that servers honouring seeds differ.
    if (request.sample) body.seed = (typeof request.params.seed === 'number' ? request.params.seed : 0) + request.sample;
    return body;
  }

  private count(promptTokens: number, completionTokens: number): void {
    this.usage.prompt_tokens += promptTokens;
    this.usage.completion_tokens += completionTokens;
  }

  private trip(reason: string): void {
    if (this.brokenBecause) return;
    this.brokenBecause = `${this.deps.breakerThreshold ?? 20} failures in a row, the last: ${reason}`;
    this.deps.onFatal(`model "${this.spec.name}" is failing: ${this.brokenBecause}`);
  }
}

function parseCompletion(body: unknown, request: ChatRequest): { value: Completion; usedTokens: number } {
  const b = body as {
    choices?: Array<{ message?: ChatMessage; finish_reason?: string | null }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const choice = b.choices?.[0];
  if (!choice?.message) throw new TransportError('answer has no choices[0].message', true, true);
  const message = choice.message;
  const text = typeof message.content === 'string' ? message.content : '';
  const prompt_tokens = b.usage?.prompt_tokens ?? estimateTokens(request.messages);
  const completion_tokens = b.usage?.completion_tokens ?? Math.ceil(text.length / 4);
  const value: Completion = {
    text,
    finish_reason: choice.finish_reason ?? null,
    usage: { prompt_tokens, completion_tokens },
    message: { role: 'assistant', content: message.content ?? null, ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) },
  };
  return { value, usedTokens: prompt_tokens + completion_tokens };
}

/** The vectors of an /embeddings answer, in input order (servers may list them out of order). */
function parseEmbeddings(body: unknown, expected: number): { value: { vectors: Float32Array[]; promptTokens?: number }; usedTokens?: number } {
  const b = body as { data?: Array<{ embedding?: unknown; index?: number }>; usage?: { prompt_tokens?: number } };
  if (!Array.isArray(b.data) || b.data.length !== expected) {
    throw new TransportError(`embeddings answer has ${Array.isArray(b.data) ? b.data.length : 'no'} vectors for ${expected} inputs`, true, true);
  }
  const vectors: Float32Array[] = new Array<Float32Array>(expected);
  b.data.forEach((d, i) => {
    const at = typeof d.index === 'number' ? d.index : i;
    if (!Array.isArray(d.embedding) || at < 0 || at >= expected) throw new TransportError('embeddings answer has a malformed vector', true, true);
    vectors[at] = Float32Array.from(d.embedding as number[]);
  });
  return { value: { vectors, promptTokens: b.usage?.prompt_tokens }, usedTokens: b.usage?.prompt_tokens };
}

function parseReward(body: unknown): number {
  const b = body as { data?: Array<{ data?: unknown }> };
  let v = b.data?.[0]?.data;
  while (Array.isArray(v)) v = v[v.length - 1];
  if (typeof v !== 'number') throw new TransportError('reward answer has no number in data[0].data', true, true);
  return v;
}

function parsePromptLogprobs(body: unknown, prompt: string): PromptLogprobs {
  const b = body as { choices?: Array<{ logprobs?: { token_logprobs?: Array<number | null>; text_offset?: number[] } }> };
  const lp = b.choices?.[0]?.logprobs;
  if (!lp?.token_logprobs || !lp.text_offset) throw new TransportError('completions answer has no logprobs (the server must support echo with logprobs)', false, false);
  // With echo the answer repeats the prompt, then the one generated token: keep the prompt's.
  const keep = lp.text_offset.findIndex((o) => o >= prompt.length);
  const n = keep === -1 ? lp.text_offset.length : keep;
  return { offsets: lp.text_offset.slice(0, n), logprobs: lp.token_logprobs.slice(0, n) };
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
