import type { ChatMessage, ChatRequest, CompletionRequest } from './types.js';

/**
 * The body of an OpenAI-style chat completion request, as sent over HTTP. The built-in
 * mock answers this body too, so a graph gives the same output in process and against
 * `sygra-stream mock-server`.
 */
export interface WireRequest {
  model: string;
  messages: ChatMessage[];
  response_format?: Record<string, unknown>;
  max_tokens?: number;
  [param: string]: unknown;
}

/** The chat completion body for `model` (params already merged model → node). */
export function chatBody(model: string, request: ChatRequest): WireRequest {
  // Reasoning kept on assistant turns is for training: servers refuse it back as input.
  const messages = request.messages.some((m) => m.reasoning_content !== undefined) ? request.messages.map(({ reasoning_content: _kept, ...m }) => m) : request.messages;
  const body: WireRequest = { ...request.params, model, messages };
  if (request.response_format) body.response_format = request.response_format;
  if (request.tools) body.tools = request.tools;
  // Distinct samples of one prompt: a distinct seed each, so that servers honouring seeds differ.
  if (request.sample) body.seed = (typeof request.params.seed === 'number' ? request.params.seed : 0) + request.sample;
  return body;
}

/**
 * A /completions request for the log-probabilities of a prompt's tokens: with `echo` the
 * server scores the prompt itself and generates one token (vLLM and other OpenAI-compatible
 * servers support it).
 */
export function logprobsRequest(prompt: string): { prompt: string; echo: true; logprobs: 1; max_tokens: 1; temperature: 0 } {
  return { prompt, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 };
}

/** The body of a raw `/completions` request for `model`. */
export function completionBody(model: string, request: CompletionRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request.params, model, prompt: request.prompt };
  if (request.sample) body.seed = (typeof request.params.seed === 'number' ? request.params.seed : 0) + request.sample;
  return body;
}
