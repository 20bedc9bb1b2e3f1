import { join } from 'node:path';
import { completionCodec, completionSize, embeddingCodec, numbersCodec, type NumberList } from './cache/codecs.js';
import { ResponseCache } from './cache/response-cache.js';
import { DiskStore } from './cache/disk-store.js';
import type { LlmProgress } from '../metrics/progress.js';
import type { Budget } from './budget.js';
import type { LoadLock } from './cache/load-lock.js';
import type { CacheStore } from './cache/store.js';
import type { Completion } from './types.js';
import { ModelClient, type ResolvedModel } from './model-client.js';
import { proxyFromEnv } from './transports/http.js';
import type { RequestLog } from './request-log.js';
import { batchPrice, priceOf } from './prices.js';
import { defaultKeyVariable, ModelSchema, type ModelConfig, type ModelSettings } from './model-schema.js';
import { applyDefaults } from '../config/defaults.js';
import type { WireRequest } from './wire.js';
import type { ModelUsageReport } from './usage.js';

/** How a run caches and reaches models; set from the command line. */
export interface LlmOptions {
  /** Folder of the persistent cache; null for none. */
  cacheDir: string | null;
  cacheReadOnly: boolean;
  /** False with --no-cache: every request goes to the model. */
  cache: boolean;
  env: NodeJS.ProcessEnv;
  /** --redis: a shared cache tier (before the disk) and a lock so one request is made once across processes. */
  shared?: SharedCache;
  /** --max-cost / --max-requests for the run, over every model. */
  budget?: Budget;
  /** --dry-run: hand each request to this instead of any server; answers come from the mock. */
  dryRun?: (model: string, request: WireRequest | Record<string, unknown>) => void;
  /** --batch: every OpenAI or Anthropic model sends its chat requests through the batch API. */
  batch?: boolean;
  /** --log-requests: where every chat and completion call is written. */
  requestLog?: RequestLog;
}

/** The shared tier's stores and lock, made by the caller that opened the connection. */
export interface SharedCache {
  completions: CacheStore<Completion>;
  embeddings: CacheStore<Float32Array>;
  numbers: CacheStore<NumberList>;
  lock: LoadLock;
}

export const DEFAULT_MODEL_NAME = 'default';

/**
 * What the models of a run share, opened by the command and closed by it, once: the cache
 * tiers (memory, Redis, disk), the budget, the dry run, and the signal that a model has
 * failed for good. Each graph file (and each included one) gets its registry from here.
 */
export class ModelRuntime {
  /** Aborted, with a message as reason, when a model fails past its circuit breaker. */
  readonly fatal = new AbortController();
  private readonly registries: ModelRegistry[] = [];
  private readonly cache: ResponseCache<Completion> | null;
  private readonly stores: Array<CacheStore<Completion>> = [];
  private readonly embeddingCache: ResponseCache<Float32Array> | null;
  private readonly embeddingStores: Array<CacheStore<Float32Array>> = [];
  private readonly numberCache: ResponseCache<NumberList> | null;
  private readonly numberStores: Array<CacheStore<NumberList>> = [];
  private diskOpened = false;

  constructor(readonly options: LlmOptions) {
    const lock = options.shared?.lock;
    if (options.shared) {
      this.stores.push(options.shared.completions);
      this.embeddingStores.push(options.shared.embeddings);
      this.numberStores.push(options.shared.numbers);
    }
    this.cache = options.cache ? new ResponseCache({ stores: this.stores, sizeOf: completionSize, lock }) : null;
    this.embeddingCache = options.cache ? new ResponseCache({ stores: this.embeddingStores, sizeOf: (v) => v.byteLength + 64, lock }) : null;
    this.numberCache = options.cache ? new ResponseCache({ stores: this.numberStores, sizeOf: (v) => v.length * 8 + 64, lock }) : null;
  }

  /** For `validate`, `graph` and thread workers: no cache, nothing opened, nothing to close. */
  static describing(env: NodeJS.ProcessEnv = process.env): ModelRuntime {
    return new ModelRuntime({ cacheDir: null, cacheReadOnly: true, cache: false, env });
  }

  /** The models a graph file declares. */
  /** The run's cache folder when it may be written (not with --no-cache, --cache-read-only or a dry run): nodes keep their own caches under it. */
  get writableCacheDir(): string | null {
    const { options } = this;
    return options.cache && options.cacheDir && !options.cacheReadOnly && !options.dryRun ? options.cacheDir : null;
  }

  registry(configs: Readonly<Record<string, ModelConfig>>): ModelRegistry {
    const registry = new ModelRegistry(configs, this);
    this.registries.push(registry);
    return registry;
  }

  /** A client for a model, with the run's caches, budget and dry run. */
  client(spec: ResolvedModel): ModelClient {
    const { options } = this;
    // The disk tiers come with the first model and open at their first use (or ready()), so
    // graphs without LLM nodes, and loading alone, touch no folder.
    if (!this.diskOpened && options.cache && options.cacheDir && !options.dryRun) {
      this.diskOpened = true;
      this.stores.push(new DiskStore(options.cacheDir, completionCodec, options.cacheReadOnly));
      this.embeddingStores.push(new DiskStore(options.cacheDir, embeddingCodec, options.cacheReadOnly));
      this.numberStores.push(new DiskStore(options.cacheDir, numbersCodec, options.cacheReadOnly));
    }
    return new ModelClient(spec, {
      cache: options.dryRun ? null : this.cache,
      embeddingCache: options.dryRun ? null : this.embeddingCache,
      numberCache: options.dryRun ? null : this.numberCache,
      budget: options.budget,
      dryRun: options.dryRun,
      batchDir: options.cacheDir && !options.cacheReadOnly ? join(options.cacheDir, 'batches') : null,
      requestLog: options.dryRun ? undefined : options.requestLog,
      onFatal: (message) => {
        if (!this.fatal.signal.aborted) this.fatal.abort(message);
      },
    });
  }

  /** Opens the persistent cache tiers; a problem is returned as a message. */
  async ready(): Promise<string | null> {
    try {
      await Promise.all([...this.stores, ...this.embeddingStores, ...this.numberStores].map((s) => s.ready()));
      return null;
    } catch (err) {
      return `cannot open the LLM cache in ${this.options.cacheDir}: ${(err as Error).message}`;
    }
  }

  /** Ends every model's connections, then writes and closes the cache tiers. */
  async close(): Promise<void> {
    await Promise.all(this.registries.flatMap((r) => r.inUse().map((c) => c.close())));
    await Promise.all([...this.stores, ...this.embeddingStores, ...this.numberStores].map((s) => s.close()));
  }
}

/** The graph's models, created on first use and shared by every node that names them. */
export class ModelRegistry {
  private readonly clients = new Map<string, ModelClient>();
  /** Registries of included graphs (subgraphs): reported with this one. */
  private readonly children: Array<{ prefix: string; registry: ModelRegistry }> = [];

  constructor(
    private readonly configs: Readonly<Record<string, ModelConfig>>,
    private readonly runtime: ModelRuntime,
  ) {}

  /** The run's writable cache folder (--cache-dir), or null: see ModelRuntime.writableCacheDir. */
  get cacheDir(): string | null {
    return this.runtime.writableCacheDir;
  }

  /** Aborted, with a message as reason, when a model of the run fails past its circuit breaker. */
  get fatal(): AbortController {
    return this.runtime.fatal;
  }

  /** Names a node may use; a graph without `models` gets the implicit "default". */
  names(): string[] {
    const names = Object.keys(this.configs);
    return names.length > 0 ? names : [DEFAULT_MODEL_NAME];
  }

  /** The model a node gets when it names none: the only one there is. */
  defaultName(): string | undefined {
    const names = this.names();
    return names.length === 1 ? names[0] : undefined;
  }

  /** A problem with the model's environment (a key variable the graph names, unset), or null. */
  check(name: string): string | null {
    // Only a variable the graph names must be set: a local server may need no key at all.
    const config = this.configs[name] ?? {};
    if (config.provider === 'mock') return null;
    // A cloud API always needs its key; an OpenAI-compatible server only when the graph names one.
    const cloud = config.provider === 'azure' || config.provider === 'anthropic';
    const variable = config.api_key_env ?? (cloud ? defaultKeyVariable(config.provider) : undefined);
    if (variable && !this.runtime.options.env[variable]) {
      return `environment variable ${variable} (${config.api_key_env ? 'api_key_env' : `the API key of provider ${config.provider}`} of model "${name}") is not set`;
    }
    return null;
  }

  get(name: string): ModelClient {
    let client = this.clients.get(name);
    if (!client) {
      client = this.runtime.client(this.resolve(name));
      this.clients.set(name, client);
    }
    return client;
  }

  /** An included graph's models, reported under `prefix/`. */
  adopt(prefix: string, registry: ModelRegistry): void {
    this.children.push({ prefix, registry });
  }

  /** The LLM part of the progress line, over every model (subgraphs' included). */
  progress(): LlmProgress {
    const p: LlmProgress = { inFlight: 0, requests: 0, cacheHits: 0, cacheLookups: 0, tokens: 0, cost: null };
    for (const c of this.clients.values()) {
      const u = c.usage;
      const hits = u.cache.memory_hits + u.cache.coalesced + Object.values(u.cache.store_hits).reduce((a, b) => a + b, 0);
      p.inFlight += u.inFlight;
      p.requests += u.requests;
      p.cacheHits += hits;
      p.cacheLookups += hits + u.cache.misses;
      p.tokens += u.prompt_tokens + u.completion_tokens;
      if (c.spec.price) p.cost = (p.cost ?? 0) + u.cost;
    }
    for (const child of this.children) {
      const q = child.registry.progress();
      p.inFlight += q.inFlight;
      p.requests += q.requests;
      p.cacheHits += q.cacheHits;
      p.cacheLookups += q.cacheLookups;
      p.tokens += q.tokens;
      if (q.cost !== null) p.cost = (p.cost ?? 0) + q.cost;
    }
    return p;
  }

  /** US dollars spent by every model, subgraphs' included. */
  cost(): number {
    return [...this.clients.values()].reduce((sum, c) => sum + c.usage.cost, 0) + this.children.reduce((sum, c) => sum + c.registry.cost(), 0);
  }

  /** Tokens used by every model, subgraphs' included. */
  tokens(): number {
    return [...this.clients.values()].reduce((sum, c) => sum + c.usage.prompt_tokens + c.usage.completion_tokens, 0) + this.children.reduce((sum, c) => sum + c.registry.tokens(), 0);
  }

  /** The models in use that run on the built-in mock. */
  mockModels(): string[] {
    return [...[...this.clients.values()].filter((c) => c.spec.provider === 'mock').map((c) => c.spec.name), ...this.children.flatMap((c) => c.registry.mockModels().map((m) => `${c.prefix}/${m}`))];
  }

  inUse(): ModelClient[] {
    return [...this.clients.values()];
  }

  report(): Record<string, ModelUsageReport> {
    const out: Record<string, ModelUsageReport> = {};
    for (const [name, client] of this.clients) out[name] = client.usage.report();
    for (const c of this.children) for (const [name, r] of Object.entries(c.registry.report())) out[`${c.prefix}/${name}`] = r;
    return out;
  }

  /** Checks each endpoint of every model in use answers; returns problems. */
  async preflight(): Promise<string[]> {
    const all = await Promise.all([...this.inUse().map((c) => c.preflight()), ...this.children.map((c) => c.registry.preflight())]);
    return all.flat();
  }

  private configFor(name: string): ModelSettings {
    return applyDefaults(ModelSchema, this.configs[name] ?? {});
  }

  private resolve(name: string): ResolvedModel {
    const c = this.configFor(name);
    const env = this.runtime.options.env;
    const written = c.provider ?? 'openai';
    const defaultUrls = written === 'anthropic' ? ['https://api.anthropic.com'] : written === 'openai' && env.OPENAI_BASE_URL ? [env.OPENAI_BASE_URL] : [];
    const urls = c.base_url === undefined ? defaultUrls : [c.base_url].flat();
    const provider = written === 'mock' || urls.length === 0 ? 'mock' : written;
    const query = new URLSearchParams(c.query);
    if (provider === 'azure') query.set('api-version', c.api_version);

    const model = c.model ?? (provider === 'azure' ? c.deployment : undefined) ?? env.OPENAI_MODEL ?? 'mock-1';
    const batch = (c.batch || this.runtime.options.batch === true) && (provider === 'openai' || provider === 'anthropic');
    // The mock costs nothing unless the graph says, whatever model name it plays.
    const listed = provider === 'mock' ? { price: c.price, source: c.price ? 'graph' : null } : priceOf(model, c.price);
    const priced = batch && listed.price ? { price: batchPrice(listed.price), source: `${listed.source}, halved for the batch API` } : listed;
    // Requests wait hours in a batch: many must be in flight for batches to fill.
    const concurrency = batch && this.configs[name]?.concurrency === undefined ? 4096 : c.concurrency;

    return {
      name,
      model,
      provider,
      baseUrls: provider === 'mock' ? [] : urls,
      apiKey: env[c.api_key_env ?? defaultKeyVariable(c.provider)] || undefined,
      deployment: c.deployment,
      headers: c.headers,
      ...(query.size > 0 ? { query: query.toString() } : {}),
      proxy: proxyFromEnv(env),
      caFile: c.ca_file,
      params: c.params,
      concurrency,
      seedTurn: c.strict_alternation ? c.seed_turn : null,
      ...(batch ? { batch: { windowMs: c.batch_window_ms, pollMs: c.batch_poll_ms } } : {}),
      rpm: c.rpm,
      tpm: c.tpm,
      timeoutMs: c.timeout_ms,
      retries: c.retries,
      retryWindowMs: c.retry_window_ms,
      balance: c.balance,
      embeddingBatch: c.batch_size,
      price: priced.price,
      priceSource: priced.source,
    };
  }
}
