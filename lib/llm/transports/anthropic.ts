import { ANTHROPIC_VERSION, anthropicBody, anthropicRateLimitHint, parseAnthropicMessage } from '../anthropic-wire.js';
import { byKind, type Transport } from '../dispatch.js';
import { TransportError } from '../transport-error.js';
import { checkEndpoints, modelConnection, type HttpTransport, type ModelConnection, type ModelConnectionOptions } from './http.js';

export interface AnthropicTransportOptions extends ModelConnectionOptions {
  /** The model's name in the graph, for messages. */
  name: string;
  /** The name sent to the server. */
  model: string;
  onRateLimit: (untilEpochMs: number) => void;
}

/** The model's connection, with `x-api-key` and `anthropic-version`, reading Anthropic's rate-limit headers. */
export function anthropicConnection(options: AnthropicTransportOptions): ModelConnection {
  const auth = { 'anthropic-version': ANTHROPIC_VERSION, ...(options.apiKey === undefined ? {} : { 'x-api-key': options.apiKey }) };
  return modelConnection(options, auth, { rateLimitHint: anthropicRateLimitHint });
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
      completion: unsupported('raw completions (it applies its chat format itself)'),
    }),
    async preflight() {
      const transport = await open();
      return checkEndpoints(transport, options.name, apiPath(transport, '/models'));
    },
    async close() {
      await open.close();
    },
  };
}
