import { byKind, type Transport } from '../dispatch.js';
import { estimateTextTokens, estimateTokens } from '../tokens.js';
import { TransportError } from '../transport-error.js';
import type { ChatMessage, ChatRequest, Completion, PromptLogprobs, TokenUsage } from '../types.js';
import { chatBody, completionBody, logprobsRequest } from '../wire.js';
import { checkEndpoints, modelConnection, type ModelConnection, type ModelConnectionOptions } from './http.js';
import { answerOf } from '../reasoning.js';

export interface OpenAiTransportOptions extends ModelConnectionOptions {
  /** The model's name in the graph, for messages. */
  name: string;
  /** The name sent to the server. */
  model: string;
  /** Azure: `api-key: KEY` instead of `Authorization: Bearer KEY`, and paths under its deployment. */
  azure?: { deployment: string };
  /** A server's rate-limit headers say no request should start before this epoch ms. */
  onRateLimit: (untilEpochMs: number) => void;
}

/** The model's connection, with the key as OpenAI (`Authorization: Bearer`) or Azure (`api-key`) wants it. */
export function openAiConnection(options: OpenAiTransportOptions): ModelConnection {
  const auth: Record<string, string> = options.apiKey === undefined ? {} : options.azure ? { 'api-key': options.apiKey } : { authorization: `Bearer ${options.apiKey}` };
  return modelConnection(options, auth);
}

/** Azure serves each deployment under its own path; the body's model is ignored there. */
export function routeOf(options: Pick<OpenAiTransportOptions, 'azure'>): (path: string) => string {
  return (path) => (options.azure ? `/openai/deployments/${encodeURIComponent(options.azure.deployment)}${path}` : path);
}

/**
 * OpenAI-compatible servers (OpenAI, vLLM, llama.cpp, Ollama, TGI, ...): /chat/completions,
 * /embeddings, vLLM's /pooling for reward models and /completions with echo for prompt
 * log-probabilities. undici is loaded on the first request, so mock-only runs start faster.
 */
export function openAiTransport(options: OpenAiTransportOptions): Transport {
  const open = openAiConnection(options);
  const route = routeOf(options);
  const post = async (path: string, payload: unknown): Promise<unknown> => {
    const transport = await open();
    return transport.postJson(transport.pick(), route(path), payload, (hint) => options.onRateLimit(hint.pauseUntil));
  };
  const embeddings = async (texts: string[], dimensions: number | undefined) => {
    const payload: Record<string, unknown> = { model: options.model, input: texts };
    if (dimensions !== undefined) payload.dimensions = dimensions;
    return parseEmbeddings(await post('/embeddings', payload), texts);
  };
  return {
    dispatch: byKind({
      chat: async (request) => parseCompletion(await post('/chat/completions', chatBody(options.model, request)), request),
      embedding: async ({ text, dimensions }) => {
        const { value, usage } = await embeddings([text], dimensions);
        return { value: value[0] as Float32Array, usage };
      },
      embeddings: ({ texts, dimensions }) => embeddings(texts, dimensions),
      reward: async ({ messages }) => ({ value: parseReward(await post('/pooling', { model: options.model, messages })) }),
      prompt_logprobs: async ({ prompt }) => ({ value: parsePromptLogprobs(await post('/completions', { model: options.model, ...logprobsRequest(prompt) }), prompt) }),
      completion: async (request) => parseTextCompletion(await post('/completions', completionBody(options.model, request)), request.prompt),
    }),
    async preflight() {
      return checkEndpoints(await open(), options.name, options.azure ? '/openai/models' : '/models');
    },
    async close() {
      await open.close();
    },
  };
}

/** A chat completion answer (also a batch result's body) as a completion, reasoning taken out. */
export function parseCompletion(body: unknown, request: ChatRequest): { value: Completion; usage: TokenUsage } {
  const b = body as {
    choices?: Array<{ message?: ChatMessage & { reasoning_content?: unknown; reasoning?: unknown }; finish_reason?: string | null }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number; completion_tokens_details?: { reasoning_tokens?: number } };
  };
  const choice = b.choices?.[0];
  if (!choice?.message) throw new TransportError('answer has no choices[0].message', true, true);
  const message = choice.message;
  const answer = answerOf(typeof message.content === 'string' ? message.content : '', message);
  const text = answer.text;
  const usage: TokenUsage = {
    prompt_tokens: b.usage?.prompt_tokens ?? estimateTokens(request.messages),
    completion_tokens: b.usage?.completion_tokens ?? Math.ceil((text.length + (answer.reasoning?.length ?? 0)) / 4),
  };
  const reasoningTokens = b.usage?.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoningTokens === 'number' && reasoningTokens > 0) usage.reasoning_tokens = reasoningTokens;
  const content = typeof message.content === 'string' ? text : (message.content ?? null);
  const value: Completion = {
    text,
    ...(answer.reasoning === undefined ? {} : { reasoning: answer.reasoning }),
    finish_reason: choice.finish_reason ?? null,
    usage,
    message: { role: 'assistant', content, ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) },
  };
  return { value, usage };
}

/** A /completions answer: its first choice's text. */
function parseTextCompletion(body: unknown, prompt: string): { value: Completion; usage: TokenUsage } {
  const b = body as { choices?: Array<{ text?: unknown; finish_reason?: string | null }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
  const choice = b.choices?.[0];
  if (typeof choice?.text !== 'string') throw new TransportError('completions answer has no choices[0].text', true, true);
  const text = choice.text;
  const usage: TokenUsage = { prompt_tokens: b.usage?.prompt_tokens ?? Math.ceil(prompt.length / 4), completion_tokens: b.usage?.completion_tokens ?? Math.ceil(text.length / 4) };
  return { value: { text, finish_reason: choice.finish_reason ?? null, usage, message: { role: 'assistant', content: text } }, usage };
}

/** The vectors of an /embeddings answer, in input order (servers may list them out of order). */
function parseEmbeddings(body: unknown, texts: readonly string[]): { value: Float32Array[]; usage: TokenUsage } {
  const expected = texts.length;
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
  const estimate = estimateTextTokens(texts);
  return { value: vectors, usage: { prompt_tokens: b.usage?.prompt_tokens ?? estimate, completion_tokens: 0 } };
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
