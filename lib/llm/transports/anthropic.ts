import { ANTHROPIC_VERSION, anthropicBody, anthropicRateLimitHint, parseAnthropicMessage } from '../anthropic-wire.js';
import { byKind, type Transport } from '../dispatch.js';
import { TransportError } from '../transport-error.js';
import { HttpTransport, type ProxySettings } from './http.js';

export interface AnthropicTransportOptions {
  /** The model's name in the graph, for messages. */
  name: string;
  /** The name sent to the server. */
  model: string;
  baseUrls: readonly string[];
  apiKey?: string;
  /** `headers:` from the graph, values resolved: sent with every request, never shown. */
  headers?: Record<string, string>;
  query?: string;
  /** From HTTP_PROXY, HTTPS_PROXY and NO_PROXY. */
  proxy?: ProxySettings;
  /** `ca_file:`: certificates to trust besides the system's. */
  caFile?: string;
  timeoutMs: number;
  connections: number;
  balance: 'least_outstanding' | 'round_robin';
  onRateLimit: (untilEpochMs: number) => void;
}

/** Opens the model's HTTP transport on first use, with `x-api-key` and `anthropic-version`. */
export function anthropicConnection(options: AnthropicTransportOptions): (() => Promise<HttpTransport>) & { close(): Promise<void> } {
  let http: Promise<HttpTransport> | null = null;
  const open = (): Promise<HttpTransport> => {
    http ??= HttpTransport.open(options.baseUrls, {
      headers: { 'anthropic-version': ANTHROPIC_VERSION, ...(options.apiKey === undefined ? {} : { 'x-api-key': options.apiKey }), ...options.headers },
      secrets: [...(options.apiKey ? [options.apiKey] : []), ...Object.values(options.headers ?? {})],
      query: options.query,
      proxy: options.proxy,
      caFile: options.caFile,
      rateLimitHint: anthropicRateLimitHint,
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

/** A path of the API: the root is https://api.anthropic.com, and a base_url written with /v1 works too. */
export function apiPath(transport: HttpTransport, path: string): string {
  return transport.endpoints[0]!.basePath.endsWith('/v1') ? path : `/v1${path}`;
}

/**
 * Anthropic's Messages API (POST /v1/messages with `x-api-key` and `anthropic-version`).
 * Chat only: embeddings, rewards and prompt log-probabilities are refused at once.
 */
export function anthropicTransport(options: AnthropicTransportOptions): Transport {
  const open = anthropicConnection(options);
  const unsupported = (what: string) => async (): Promise<never> => {
    throw new TransportError(`model "${options.name}": Anthropic's API has no ${what}; use another model for it`, false, false);
  };
  return {
    dispatch: byKind({
      chat: async (request) => {
        const transport = await open();
        const answer = await transport.postJson(transport.pick(), apiPath(transport, '/messages'), anthropicBody(options.model, request), (hint) => options.onRateLimit(hint.pauseUntil));
        return parseAnthropicMessage(answer);
      },
      embedding: unsupported('embeddings'),
      embeddings: unsupported('embeddings'),
      reward: unsupported('reward scores'),
      prompt_logprobs: unsupported('prompt log-probabilities'),
    }),
    async preflight() {
      const transport = await open();
      const problems: string[] = [];
      for (const endpoint of transport.endpoints) {
        const res = await transport.probe(endpoint, apiPath(transport, '/models'));
        if ('error' in res) problems.push(`model "${options.name}": cannot reach ${endpoint.label}: ${res.error}`);
        else if (res.status === 401 || res.status === 403) {
          problems.push(`model "${options.name}": ${endpoint.label} refused the credentials (HTTP ${res.status}); check the API key variable`);
        }
      }
      return problems;
    },
    async close() {
      await open.close();
    },
  };
}
