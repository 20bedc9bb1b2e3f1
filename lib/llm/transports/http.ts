import type { Dispatcher, Pool, EnvHttpProxyAgent } from 'undici';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { isRetryableStatus, parseDuration, parseRetryAfter } from '../backoff.js';
import { TransportError } from '../transport-error.js';
import { redactUrl, urlSecrets } from '../../config/redact-url.js';

export interface Endpoint {
  /** The URL as written in the graph (it may hold credentials: never put it in a message). */
  readonly url: string;
  /** The URL for messages: credentials blanked. */
  readonly label: string;
  /** Its own keep-alive Pool, or the transport's proxy agent (shared by every endpoint). */
  readonly pool: Dispatcher;
  readonly origin: string;
  readonly basePath: string;
  outstanding: number;
  consecutiveFailures: number;
  coolUntil: number;
}

export interface HttpTransportOptions {
  /** Sent with every request: the provider's auth header, `headers:` from the graph. */
  headers: Record<string, string>;
  /** Values never to show in a message (keys, secret header values). */
  secrets: readonly string[];
  /** Added to every request's path (`api-version=…`, `query:` from the graph), already encoded. */
  query?: string;
  /** Reads a provider's rate-limit headers (default: OpenAI's x-ratelimit-*). */
  rateLimitHint?: (headers: Record<string, string | string[] | undefined>) => RateLimitHint | undefined;
  timeoutMs: number;
  connections: number;
  balance: 'least_outstanding' | 'round_robin';
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY as the environment says: requests go through the proxy (CONNECT). */
  proxy?: ProxySettings;
  /** A PEM file of certificates to trust besides the system's (`ca_file:`, a company CA). */
  caFile?: string;
  /** Failures in a row after which an endpoint rests while the others carry on. */
  coolAfter?: number;
  coolMs?: number;
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** The proxy variables of an environment, lower-case names first as curl reads them; undefined when none is set. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const settings: ProxySettings = {
    httpProxy: env.http_proxy || env.HTTP_PROXY || undefined,
    httpsProxy: env.https_proxy || env.HTTPS_PROXY || undefined,
    noProxy: env.no_proxy || env.NO_PROXY || undefined,
  };
  return settings.httpProxy || settings.httpsProxy ? settings : undefined;
}

export interface RateLimitHint {
  /** Epoch ms before which no new request should start. */
  pauseUntil: number;
}

/**
 * JSON over HTTP with undici, for every provider: one keep-alive Pool per endpoint, requests
 * spread over endpoints (least outstanding by default), an endpoint that keeps failing rests
 * for a while. Never puts a key or a secret header in an error message.
 */
export class HttpTransport {
  readonly endpoints: Endpoint[];
  private turn = 0;

  /** Loads undici (only runs that reach a server need it) and opens a pool per endpoint, or one proxy agent. */
  static async open(urls: readonly string[], options: HttpTransportOptions): Promise<HttpTransport> {
    const undici = await import('undici');
    // Bundled, the CommonJS module's exports arrive as the default export only.
    const classes = undici.Pool ? undici : (undici as unknown as { default: typeof undici }).default;
    const ca = options.caFile ? await readFile(options.caFile, 'utf8') : undefined;
    return new HttpTransport(urls, options, ca, classes.Pool, classes.EnvHttpProxyAgent);
  }

  /** What a server's answer must never show in a message: the API key, passwords in the URLs. */
  private readonly secrets: string[];
  private readonly requestHeaders: Record<string, string>;
  private readonly proxyAgent: EnvHttpProxyAgent | null;

  private constructor(
    urls: readonly string[],
    private readonly options: HttpTransportOptions,
    ca: string | undefined,
    PoolClass: typeof Pool,
    ProxyAgentClass: typeof EnvHttpProxyAgent,
  ) {
    const proxy = options.proxy;
    this.secrets = [...options.secrets, ...urlSecrets([...urls, proxy?.httpProxy ?? '', proxy?.httpsProxy ?? ''])].filter((s) => s.length > 0);
    this.requestHeaders = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
    const tls = ca ? { ca } : undefined;
    const common = { connections: options.connections, keepAliveTimeout: 30_000, pipelining: 1, ...(tls ? { connect: tls } : {}) };
    // Through a proxy one agent serves every origin (NO_PROXY decides per origin); else a pool each.
    this.proxyAgent = proxy ? new ProxyAgentClass({ ...common, ...proxy, ...(tls ? { requestTls: tls } : {}) }) : null;
    this.endpoints = urls.map((url) => {
      const u = new URL(url);
      return {
        url,
        label: redactUrl(url),
        pool: this.proxyAgent ?? new PoolClass(u.origin, common),
        origin: u.origin,
        basePath: u.pathname.replace(/\/+$/, ''),
        outstanding: 0,
        consecutiveFailures: 0,
        coolUntil: 0,
      };
    });
  }

  pick(): Endpoint {
    const now = Date.now();
    const ready = this.endpoints.filter((e) => e.coolUntil <= now);
    if (ready.length === 0) return this.endpoints.reduce((a, b) => (b.coolUntil < a.coolUntil ? b : a));
    this.turn = (this.turn + 1) % ready.length;
    if (this.options.balance === 'round_robin') return ready[this.turn]!;
    let best = ready[this.turn]!;
    for (const e of ready) if (e.outstanding < best.outstanding) best = e;
    return best;
  }

  /** POSTs JSON and returns the parsed JSON body of a 2xx answer, or throws TransportError. */
  async postJson(endpoint: Endpoint, path: string, body: unknown, onHint?: (hint: RateLimitHint) => void): Promise<unknown> {
    return this.parsed(endpoint, await this.exchange(endpoint, 'POST', path, JSON.stringify(body), undefined, onHint));
  }

  /** GETs a JSON resource (a batch's state). */
  async getJson(endpoint: Endpoint, path: string): Promise<unknown> {
    return this.parsed(endpoint, await this.exchange(endpoint, 'GET', path));
  }

  /** GETs a resource as text (a batch's results, NDJSON). */
  getText(endpoint: Endpoint, path: string): Promise<string> {
    return this.exchange(endpoint, 'GET', path);
  }

  /** POSTs a file as multipart/form-data with the given text fields (an upload to /files); returns the parsed JSON answer. */
  async postFile(endpoint: Endpoint, path: string, fields: Record<string, string>, file: { name: string; type: string; data: Buffer }): Promise<unknown> {
    const boundary = `sygra-${randomUUID()}`;
    const head = Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const body = Buffer.concat([
      Buffer.from(`${head}--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n`),
      file.data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.parsed(endpoint, await this.exchange(endpoint, 'POST', path, body, `multipart/form-data; boundary=${boundary}`));
  }

  /** One request; the text of a 2xx answer, else a TransportError that says whether to retry. */
  private async exchange(endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: string | Buffer, contentType?: string, onHint?: (hint: RateLimitHint) => void): Promise<string> {
    endpoint.outstanding++;
    try {
      const res = await endpoint.pool.request({
        origin: endpoint.origin,
        path: this.pathOf(endpoint, path),
        method,
        headers: contentType ? { ...this.requestHeaders, 'content-type': contentType } : this.requestHeaders,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await res.body.text();
      const hint = (this.options.rateLimitHint ?? rateLimitHint)(res.headers);
      if (hint && onHint) onHint(hint);
      if (res.statusCode >= 200 && res.statusCode < 300) {
        this.succeeded(endpoint);
        return text;
      }
      const retryable = isRetryableStatus(res.statusCode);
      if (retryable && res.statusCode !== 429) this.failed(endpoint);
      throw new TransportError(
        `HTTP ${res.statusCode} from ${endpoint.label}${path}: ${this.excerpt(text)}`,
        retryable,
        res.statusCode >= 500,
        parseRetryAfter(res.headers['retry-after']),
        res.statusCode,
      );
    } catch (err) {
      if (err instanceof TransportError) throw err;
      this.failed(endpoint);
      throw new TransportError(`${endpoint.label}: ${describeNetworkError(err, this.options.timeoutMs)}`, true, true);
    } finally {
      endpoint.outstanding--;
    }
  }

  private parsed(endpoint: Endpoint, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TransportError(`${endpoint.label}: answer is not JSON: ${this.excerpt(text)}`, true, true);
    }
  }

  /** GET for preflight checks: the status, or a network error's description. */
  async probe(endpoint: Endpoint, path: string): Promise<{ status: number } | { error: string }> {
    try {
      const res = await endpoint.pool.request({
        origin: endpoint.origin,
        path: this.pathOf(endpoint, path),
        method: 'GET',
        headers: this.requestHeaders,
        signal: AbortSignal.timeout(Math.min(this.options.timeoutMs, 10_000)),
      });
      await res.body.dump();
      return { status: res.statusCode };
    } catch (err) {
      return { error: describeNetworkError(err, 10_000) };
    }
  }

  async close(): Promise<void> {
    const dispatchers = new Set(this.endpoints.map((e) => e.pool));
    await Promise.all([...dispatchers].map((d) => d.close().catch(() => undefined)));
  }

  private pathOf(endpoint: Endpoint, path: string): string {
    const query = this.options.query;
    return endpoint.basePath + path + (query ? (path.includes('?') ? '&' : '?') + query : '');
  }

  private succeeded(e: Endpoint): void {
    e.consecutiveFailures = 0;
  }

  private failed(e: Endpoint): void {
    e.consecutiveFailures++;
    if (e.consecutiveFailures >= (this.options.coolAfter ?? 5) && this.endpoints.length > 1) {
      e.coolUntil = Date.now() + (this.options.coolMs ?? 10_000);
      e.consecutiveFailures = 0;
    }
  }

  /** A short, single-line excerpt of a server's answer, with the API key blanked out. */
  private excerpt(text: string): string {
    let t = text.replace(/\s+/g, ' ').trim();
    for (const secret of this.secrets) t = t.split(secret).join('[redacted]');
    return t.length > 200 ? `${t.slice(0, 199)}…` : t || '(empty body)';
  }
}

/** When the server says a budget is spent (x-ratelimit-remaining-* at 0), how long to hold off: until its reset. */
export function rateLimitHint(headers: Record<string, string | string[] | undefined>): RateLimitHint | undefined {
  let waitMs = 0;
  for (const kind of ['requests', 'tokens']) {
    const remaining = Number(headers[`x-ratelimit-remaining-${kind}`]);
    if (headers[`x-ratelimit-remaining-${kind}`] !== undefined && remaining <= 0) {
      waitMs = Math.max(waitMs, parseDuration(headers[`x-ratelimit-reset-${kind}`]) ?? 1000);
    }
  }
  return waitMs > 0 ? { pauseUntil: Date.now() + waitMs } : undefined;
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return `timed out after ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return `${code}: the server's certificate is not trusted (name the CA that signed it with ca_file:)`;
  return code ? `${code}${e.message && !e.message.includes(code) ? ` (${e.message})` : ''}` : (e.message ?? String(err));
}

/** What every provider's transport says about the connection of one model. */
export interface ModelConnectionOptions {
  baseUrls: readonly string[];
  apiKey?: string;
  /** `headers:` from the graph, values resolved: sent with every request, never shown. */
  headers?: Record<string, string>;
  query?: string;
  proxy?: ProxySettings;
  caFile?: string;
  timeoutMs: number;
  connections: number;
  balance: 'least_outstanding' | 'round_robin';
}

/** A model's HTTP transport, opened on first use (undici loads then), and closed with it. */
export type ModelConnection = (() => Promise<HttpTransport>) & { close(): Promise<void> };

/**
 * Opens a model's connection lazily: `auth` is how the provider wants the key (a Bearer
 * header, `api-key`, `x-api-key` with its version header); the key and every `headers:`
 * value are secrets no message shows.
 */
export function modelConnection(options: ModelConnectionOptions, auth: Record<string, string>, more: Pick<HttpTransportOptions, 'rateLimitHint'> = {}): ModelConnection {
  let http: Promise<HttpTransport> | null = null;
  const open = (): Promise<HttpTransport> => {
    http ??= HttpTransport.open(options.baseUrls, {
      ...more,
      headers: { ...auth, ...options.headers },
      secrets: [...(options.apiKey ? [options.apiKey] : []), ...Object.values(options.headers ?? {})],
      query: options.query,
      proxy: options.proxy,
      caFile: options.caFile,
      timeoutMs: options.timeoutMs,
      connections: options.connections,
      balance: options.balance,
    });
    return http;
  };
  return Object.assign(open, {
    async close() {
      await (await http)?.close();
    },
  });
}

/** Preflight: GET `path` on every endpoint of the model; an unreachable one, or one refusing the key, is a problem. */
export async function checkEndpoints(transport: HttpTransport, model: string, path: string): Promise<string[]> {
  const problems: string[] = [];
  for (const endpoint of transport.endpoints) {
    const res = await transport.probe(endpoint, path);
    if ('error' in res) problems.push(`model "${model}": cannot reach ${endpoint.label}: ${res.error}`);
    else if (res.status === 401 || res.status === 403) {
      problems.push(`model "${model}": ${endpoint.label} refused the credentials (HTTP ${res.status}); check the API key variable`);
    }
  }
  return problems;
}
