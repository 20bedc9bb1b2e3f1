import { estimateTextTokens, textOf } from '../tokens.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { canonicalJson, sha256 } from '../canonical.js';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './embedding.js';
import { mockCompletion, mockTextCompletion } from './completion.js';
import { seededRandom } from '../../random/seeded.js';
import { mockPromptLogprobs, mockReward } from './scores.js';
import type { ChatMessage } from '../types.js';
import type { WireRequest } from '../wire.js';
import { messageOfCompletion, messagesBodyProblem, wireOfMessages } from './anthropic.js';
import { MockBatches, type MockBatchOptions } from './batches.js';

export interface MockServerOptions {
  port: number;
  host: string;
  latencyMs: number;
  jitterMs: number;
  /** Fraction of chat requests answered with HTTP 500. */
  errorRate: number;
  /** Answer 429 with Retry-After beyond this many chat requests per minute. */
  rateLimitRpm?: number;
  /** For JSON-schema requests: the first N answers to each prompt are not JSON (tests retries). */
  badJsonFirst: number;
  /** The first N chat requests for each prompt fail with `failStatus` (tests retries). */
  failFirst: number;
  /** The first N chat requests of all fail with `failStatus`, whatever their prompt (a storm). */
  failRequests?: number;
  /** Status for `failFirst` failures (default 503); 429 comes with `Retry-After: 1`. */
  failStatus: number;
  /** The first N chat requests for each prompt have their connection reset. */
  resetFirst: number;
  /** How JSON answers are presented: bare, inside prose, or in a ```json fence. */
  jsonStyle: 'plain' | 'prose' | 'fence';
  /** For the first `jsonFaultFirst` JSON answers to each prompt: numbers out of range, or a key left out. */
  jsonFault: 'none' | 'out-of-range' | 'drop-key';
  jsonFaultFirst: number;
  /** Require the key (as `Authorization: Bearer`, Azure's `api-key` or Anthropic's `x-api-key`); 401 otherwise. */
  apiKey?: string;
  /** Headers every request must carry with these values (names lower-case); 400 otherwise. */
  requireHeaders?: Record<string, string>;
  /** Where chat answers carry a reasoning model's thinking, if anywhere. */
  reasoning?: ReasoningStyle;
  /** Batch APIs: a batch ends this long after it is made; every Nth request fails; or the batch expires half done. */
  batch?: MockBatchOptions;
  /** Serve HTTPS with this PEM key and certificate (to try `ca_file:`). */
  tls?: { key: string; cert: string };
  seed: number;
}

/** How a server sends reasoning: vLLM/DeepSeek's field, OpenRouter's field, or inline; Anthropic answers use thinking blocks. */
export type ReasoningStyle = 'none' | 'reasoning_content' | 'reasoning' | 'think';
type Surface = 'openai' | 'azure' | 'anthropic';

export interface MockServerStats {
  requests: number;
  chat_requests: number;
  /** POST /embeddings requests, and the texts they carried. */
  embedding_requests: number;
  embedding_inputs: number;
  /** POST /pooling (reward) and POST /completions (prompt log-probabilities) requests. */
  score_requests: number;
  /** POST /completions without echo: raw completions. */
  completion_requests: number;
  in_flight: number;
  max_in_flight: number;
  errors_injected: number;
  rate_limited: number;
  unauthorized: number;
  /** Requests refused for a missing or wrong --require-header. */
  header_mismatches: number;
  /** Chat requests by API surface. */
  azure_requests: number;
  anthropic_requests: number;
  /** Batch APIs: files uploaded, batches made, requests in them. */
  files_uploaded: number;
  batches_created: number;
  batch_requests: number;
  connections_reset: number;
  /** Retries that came before the Retry-After the server had asked for. */
  early_retries: number;
  /** The most chat requests that arrived within any one second. */
  max_per_second: number;
}

/** A mock server that answers promptly and injects nothing: what tests and benchmarks start from. */
export const QUIET_MOCK: MockServerOptions = {
  port: 0,
  host: '127.0.0.1',
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  badJsonFirst: 0,
  failFirst: 0,
  failStatus: 503,
  resetFirst: 0,
  jsonStyle: 'plain',
  jsonFault: 'none',
  jsonFaultFirst: 0,
  seed: 1,
};

/** An OpenAI-compatible server on loopback that answers with the built-in mock model. */
export class MockServer {
  readonly stats: MockServerStats = {
    requests: 0,
    chat_requests: 0,
    embedding_requests: 0,
    embedding_inputs: 0,
    score_requests: 0,
    completion_requests: 0,
    in_flight: 0,
    max_in_flight: 0,
    errors_injected: 0,
    rate_limited: 0,
    unauthorized: 0,
    header_mismatches: 0,
    azure_requests: 0,
    anthropic_requests: 0,
    files_uploaded: 0,
    batches_created: 0,
    batch_requests: 0,
    connections_reset: 0,
    early_retries: 0,
    max_per_second: 0,
  };
  private readonly server: Server;
  private readonly random: () => number;
  private readonly recent: number[] = [];
  private readonly lastSecond: number[] = [];
  private readonly seenPrompts = new Map<string, number>();
  /** Requests failed so far by --fail-requests. */
  private stormFailures = 0;
  /** Prompt → epoch ms before which the server asked the client not to come back. */
  private readonly notBefore = new Map<string, number>();

  private readonly batches: MockBatches;

  constructor(private readonly options: MockServerOptions) {
    this.batches = new MockBatches(
      options.batch ?? { delayMs: 100, failEvery: 0, expire: false },
      (surface, body, thinking) => this.answer(surface, body, thinking, sha256(canonicalJson(body.messages)), 1),
      this.stats,
    );
    this.random = seededRandom(sha256(String(options.seed)));
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `${this.options.tls ? 'https' : 'http'}://${this.options.host}:${port}/v1`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const [rawPath, search] = (req.url ?? '/').split('?') as [string, string | undefined];
    let path = rawPath.replace(/^\/v1(?=\/)/, '');
    if (req.method === 'GET' && path === '/stats') return send(res, 200, this.stats);
    const surface: Surface = path === '/messages' || req.headers['anthropic-version'] !== undefined ? 'anthropic' : path.startsWith('/openai/') ? 'azure' : 'openai';
    if (this.options.apiKey && !this.authorized(req, surface)) {
      this.stats.unauthorized++;
      return send(res, 401, errorBody(surface, 'authentication_error', 'invalid API key'));
    }
    for (const [name, value] of Object.entries(this.options.requireHeaders ?? {})) {
      if (req.headers[name] !== value) {
        this.stats.header_mismatches++;
        return send(res, 400, errorBody(surface, 'invalid_request_error', `header ${name} is missing or wrong`));
      }
    }
    let model: string | undefined;
    if (surface === 'azure') {
      // Azure serves each deployment under its own path, and needs the api-version.
      if (!new URLSearchParams(search ?? '').get('api-version')) return send(res, 404, { error: { code: '404', message: 'Resource not found (no api-version)' } });
      if (req.method === 'GET' && path === '/openai/models') return send(res, 200, { object: 'list', data: [{ id: 'mock-1', object: 'model' }] });
      const deployment = /^\/openai\/deployments\/([^/]+)(\/.*)$/.exec(path);
      if (!deployment) return send(res, 404, { error: { code: 'DeploymentNotFound', message: `no route ${req.method} ${rawPath}` } });
      model = decodeURIComponent(deployment[1]!);
      path = deployment[2]!;
    }
    if (req.method === 'GET' && path === '/models') return send(res, 200, { object: 'list', data: [{ id: 'mock-1', object: 'model' }] });
    let batchReply: Awaited<ReturnType<MockServer['batchRoute']>>;
    try {
      batchReply = await this.batchRoute(req, path, surface);
    } catch (err) {
      return send(res, 400, errorBody(surface, 'invalid_request_error', `bad request: ${(err as Error).message}`));
    }
    if (batchReply) return 'text' in batchReply ? sendText(res, batchReply.status, batchReply.text) : send(res, batchReply.status, batchReply.body);
    if (req.method === 'POST' && path === '/embeddings') return this.embeddings(req, res);
    if (req.method === 'POST' && (path === '/pooling' || path === '/completions')) return this.scores(req, res, path);
    if (req.method !== 'POST' || (path !== '/chat/completions' && path !== '/messages')) return send(res, 404, errorBody(surface, 'not_found_error', `no route ${req.method} ${req.url}`));

    let body: WireRequest;
    let thinking = false;
    try {
      const raw = JSON.parse(await readBody(req)) as Record<string, unknown>;
      if (surface === 'anthropic') {
        if (typeof req.headers['anthropic-version'] !== 'string') return send(res, 400, errorBody(surface, 'invalid_request_error', 'anthropic-version: header is required'));
        const problem = messagesBodyProblem(raw);
        if (problem) return send(res, 400, errorBody(surface, 'invalid_request_error', problem));
        thinking = (raw.thinking as { type?: string } | undefined)?.type === 'enabled';
        body = wireOfMessages(raw);
      } else {
        body = raw as WireRequest;
        if (!Array.isArray(body.messages)) throw new Error('messages must be an array');
        if (model !== undefined) body.model = model;
      }
    } catch (err) {
      return send(res, 400, errorBody(surface, 'invalid_request_error', `bad request: ${(err as Error).message}`));
    }
    if (typeof body.max_tokens === 'number' && body.max_tokens < 1) {
      return send(res, 400, errorBody(surface, 'invalid_request_error', 'max_tokens must be at least 1'));
    }
    if (surface === 'azure') this.stats.azure_requests++;
    if (surface === 'anthropic') this.stats.anthropic_requests++;
    this.stats.chat_requests++;
    const arrived = Date.now();
    this.lastSecond.push(arrived);
    while (this.lastSecond[0]! <= arrived - 1000) this.lastSecond.shift();
    this.stats.max_per_second = Math.max(this.stats.max_per_second, this.lastSecond.length);
    // Seeds are left out: a retry with a new seed is still the same prompt.
    const prompt = sha256(canonicalJson({ messages: body.messages, response_format: body.response_format ?? null }));
    const seen = (this.seenPrompts.get(prompt) ?? 0) + 1;
    this.seenPrompts.set(prompt, seen);
    if ((this.notBefore.get(prompt) ?? 0) > Date.now()) this.stats.early_retries++;
    if (seen <= this.options.resetFirst) {
      this.stats.connections_reset++;
      req.socket.destroy();
      return;
    }
    this.stats.in_flight++;
    this.stats.max_in_flight = Math.max(this.stats.max_in_flight, this.stats.in_flight);
    try {
      const jitter = this.options.jitterMs * (this.random() * 2 - 1);
      await new Promise((r) => setTimeout(r, Math.max(0, this.options.latencyMs + jitter)));
      const limited = this.rateLimited();
      if (limited !== null) {
        this.stats.rate_limited++;
        res.setHeader('retry-after', String(limited));
        this.notBefore.set(prompt, Date.now() + limited * 1000);
        return send(res, 429, errorBody(surface, 'rate_limit_error', 'rate limit exceeded'));
      }
      const failing = seen - this.options.resetFirst;
      const storm = this.stormFailures < (this.options.failRequests ?? 0);
      if (storm) this.stormFailures++;
      if (failing <= this.options.failFirst || storm) {
        this.stats.errors_injected++;
        if (this.options.failStatus === 429) {
          res.setHeader('retry-after', '1');
          this.notBefore.set(prompt, Date.now() + 1000);
        }
        return send(res, this.options.failStatus, errorBody(surface, this.options.failStatus === 529 ? 'overloaded_error' : 'api_error', 'injected failure'));
      }
      if (this.random() < this.options.errorRate) {
        this.stats.errors_injected++;
        return send(res, 500, errorBody(surface, 'api_error', 'injected failure'));
      }
      return send(res, 200, this.answer(surface, body, thinking, prompt, failing - this.options.failFirst));
    } finally {
      this.stats.in_flight--;
    }
  }

  /**
   * POST /pooling: a reward model's score for `messages` (vLLM's layout); POST /completions
   * with `echo` and `logprobs`: the prompt echoed with a log-probability per token.
   */
  private async scores(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let body: { model?: string; messages?: unknown; prompt?: unknown; echo?: boolean; logprobs?: number };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch (err) {
      return send(res, 400, { error: { message: `bad request: ${(err as Error).message}` } });
    }
    if (path === '/completions' && body.echo !== true && typeof body.prompt === 'string') {
      // A raw completion: the mock model's text for the prompt, as a text_completion.
      this.stats.completion_requests++;
      await new Promise((r) => setTimeout(r, this.options.latencyMs));
      const completion = mockTextCompletion(body as Record<string, unknown>);
      return send(res, 200, {
        id: `cmpl-${sha256(body.prompt).slice(0, 12)}`,
        object: 'text_completion',
        created: 0,
        model: body.model,
        choices: [{ index: 0, text: completion.text, finish_reason: completion.finish_reason, logprobs: null }],
        usage: { ...completion.usage, total_tokens: completion.usage.prompt_tokens + completion.usage.completion_tokens },
      });
    }
    if (path === '/pooling' ? !Array.isArray(body.messages) : typeof body.prompt !== 'string' || body.echo !== true || !body.logprobs) {
      const need = path === '/pooling' ? 'messages must be an array' : 'send a string prompt with echo: true and logprobs';
      return send(res, 400, { error: { message: need, type: 'invalid_request_error' } });
    }
    this.stats.score_requests++;
    await new Promise((r) => setTimeout(r, this.options.latencyMs));
    if (path === '/pooling') {
      return send(res, 200, {
        object: 'list',
        model: body.model,
        data: [{ index: 0, object: 'pooling', data: [mockReward(body.messages as ChatMessage[])] }],
        usage: { prompt_tokens: 10, total_tokens: 10 },
      });
    }
    const prompt = body.prompt as string;
    const { offsets, logprobs } = mockPromptLogprobs(prompt);
    const tokens = offsets.map((o, i) => prompt.slice(o, offsets[i + 1] ?? prompt.length));
    // One generated token after the echoed prompt, as a server with max_tokens 1 sends.
    return send(res, 200, {
      object: 'text_completion',
      model: body.model,
      choices: [{ index: 0, text: `${prompt} ok`, finish_reason: 'length', logprobs: { tokens: [...tokens, ' ok'], token_logprobs: [...logprobs, -0.1], text_offset: [...offsets, prompt.length] } }],
      usage: { prompt_tokens: tokens.length, completion_tokens: 1, total_tokens: tokens.length + 1 },
    });
  }

  /** POST /embeddings: the built-in mock embedding of each input, after the configured latency. */
  private async embeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: { model?: string; input?: unknown; dimensions?: number };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch (err) {
      return send(res, 400, { error: { message: `bad request: ${(err as Error).message}` } });
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((t) => typeof t !== 'string')) {
      return send(res, 400, { error: { message: 'input must be a string or a non-empty array of strings', type: 'invalid_request_error' } });
    }
    this.stats.embedding_requests++;
    this.stats.embedding_inputs += inputs.length;
    this.stats.in_flight++;
    this.stats.max_in_flight = Math.max(this.stats.max_in_flight, this.stats.in_flight);
    try {
      await new Promise((r) => setTimeout(r, this.options.latencyMs));
      const dimensions = typeof body.dimensions === 'number' ? body.dimensions : MOCK_EMBEDDING_DIMENSIONS;
      const texts = inputs as string[];
      const tokens = estimateTextTokens(texts);
      return send(res, 200, {
        object: 'list',
        model: body.model,
        data: texts.map((t, index) => ({ object: 'embedding', index, embedding: Array.from(mockEmbedding(t, dimensions)) })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    } finally {
      this.stats.in_flight--;
    }
  }

  /** The batch APIs' routes (see MockBatches); null for any other request. */
  private async batchRoute(req: IncomingMessage, path: string, surface: Surface): Promise<Awaited<ReturnType<MockBatches['upload']>> | null> {
    const root = `${this.options.tls ? 'https' : 'http'}://${req.headers.host}`;
    const json = async (): Promise<Record<string, unknown>> => JSON.parse(await readBody(req)) as Record<string, unknown>;
    if (surface === 'anthropic') {
      if (req.method === 'POST' && path === '/messages/batches') return this.batches.createAnthropic(await json(), root);
      const m = /^\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
      if (req.method === 'GET' && m) return m[2] ? this.batches.anthropicResults(m[1]!) : this.batches.getAnthropic(m[1]!, root);
      return null;
    }
    if (req.method === 'POST' && path === '/files') return this.batches.upload(req.headers['content-type'], Buffer.from(await readBody(req)));
    if (req.method === 'POST' && path === '/batches') return this.batches.createOpenAi(await json());
    const batch = /^\/batches\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && batch) return this.batches.getOpenAi(batch[1]!);
    const file = /^\/files\/([^/]+)\/content$/.exec(path);
    if (req.method === 'GET' && file) return this.batches.fileContent(file[1]!);
    return null;
  }

  /** The mock model's answer to a chat request, in the surface's shape; `nth` is this prompt's answer number. */
  private answer(surface: Surface | 'openai', body: WireRequest, thinking: boolean, prompt: string, nth: number): unknown {
    const completion = mockCompletion(body);
    let content = completion.text;
    if (body.response_format) content = this.presentJson(content, nth);
    const style = this.options.reasoning ?? 'none';
    const reasoning = style !== 'none' || thinking ? mockReasoning(body) : null;
    if (surface === 'anthropic') return messageOfCompletion({ ...completion, text: content }, body.model, prompt.slice(0, 12), reasoning);
    const message: Record<string, unknown> = { ...completion.message, content: completion.message.content === null ? null : content };
    if (reasoning !== null && style === 'think' && typeof message.content === 'string') message.content = `<think>\n${reasoning}\n</think>\n\n${message.content}`;
    else if (reasoning !== null && style !== 'think') message[style === 'reasoning' ? 'reasoning' : 'reasoning_content'] = reasoning;
    const reasoningTokens = reasoning === null ? 0 : Math.ceil(reasoning.length / 4);
    const usage = { prompt_tokens: completion.usage.prompt_tokens, completion_tokens: completion.usage.completion_tokens + reasoningTokens };
    return {
      id: `chatcmpl-${prompt.slice(0, 12)}`,
      object: 'chat.completion',
      created: 0,
      model: body.model,
      choices: [{ index: 0, message, finish_reason: completion.finish_reason }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens, ...(reasoningTokens > 0 ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}) },
    };
  }

  private authorized(req: IncomingMessage, surface: Surface): boolean {
    const key = this.options.apiKey;
    if (surface === 'azure') return req.headers['api-key'] === key;
    if (surface === 'anthropic') return req.headers['x-api-key'] === key;
    return req.headers.authorization === `Bearer ${key}`;
  }

  /** Applies the JSON faults and presentation asked for; `nth` is this prompt's answer number. */
  private presentJson(json: string, nth: number): string {
    if (nth <= this.options.badJsonFirst) return `Sure! Here it is: ${json.slice(0, -1)}`;
    let text = json;
    if (this.options.jsonFault !== 'none' && nth <= this.options.badJsonFirst + this.options.jsonFaultFirst) {
      const value = JSON.parse(json) as Record<string, unknown>;
      if (this.options.jsonFault === 'drop-key') delete value[Object.keys(value)[0]!];
      else text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? 999 : v));
      if (this.options.jsonFault === 'drop-key') text = JSON.stringify(value);
    }
    if (this.options.jsonStyle === 'prose') return `Here is my assessment.\n${text}\nI hope this helps.`;
    if (this.options.jsonStyle === 'fence') return `My scores:\n\n\`\`\`json\n${JSON.stringify(JSON.parse(text), null, 2)}\n\`\`\`\n`;
    return text;
  }

  /** Seconds to wait when over the per-minute limit, else null (and the request is counted). */
  private rateLimited(): number | null {
    const rpm = this.options.rateLimitRpm;
    if (!rpm) return null;
    const now = Date.now();
    while (this.recent.length > 0 && this.recent[0]! <= now - 60_000) this.recent.shift();
    if (this.recent.length >= rpm) return Math.max(1, Math.ceil((this.recent[0]! + 60_000 - now) / 1000));
    this.recent.push(now);
    return null;
  }
}

/** An error answer in the surface's shape: Anthropic's `{type: "error", error}`, else OpenAI's `{error}`. */
function errorBody(surface: Surface, type: string, message: string): unknown {
  return surface === 'anthropic' ? { type: 'error', error: { type, message } } : { error: { message, type } };
}

/** The mock's thinking about a request: deterministic, and never part of its answer. */
function mockReasoning(body: WireRequest): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  const topic = textOf(last).replace(/\s+/g, ' ').trim().slice(0, 60);
  return `The user asks about "${topic}". I consider what is asked, then answer plainly.`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/jsonl', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
