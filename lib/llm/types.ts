/** A part of a multi-modal message, passed to the server as given. */
export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } } | { type: 'input_audio'; input_audio: { data: string; format: string } };

export interface ChatMessage {
  role: string;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
  /** A reasoning model's thinking on its own turn: kept in conversations, never sent back. */
  reasoning_content?: string;
}

/** What a node asks of a model: everything that decides the answer, and so the cache key. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Sampling parameters (temperature, max_tokens, ...), merged model → node. */
  params: Record<string, unknown>;
  response_format?: Record<string, unknown>;
  tools?: unknown[];
  /** Which of `n` samples this is; also distinguishes structured-output retries. */
  sample?: number;
}

/** A raw completion: the prompt as the model sees it (a chat template already applied, or none). */
export interface CompletionRequest {
  prompt: string;
  /** Sampling parameters (max_tokens, temperature, stop, ...), merged model → node. */
  params: Record<string, unknown>;
  /** Which of `n` samples this is. */
  sample?: number;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Of the completion tokens, those spent thinking, where the server says. */
  reasoning_tokens?: number;
}

export interface Completion {
  /** The answer, without the model's reasoning. */
  text: string;
  /** A reasoning model's thinking, taken out of the answer (see reasoning.ts). */
  reasoning?: string;
  finish_reason: string | null;
  usage: TokenUsage;
  /** The assistant message as returned (tool calls included). */
  message: ChatMessage;
}

/** Prompt log-probabilities as a completions endpoint returns them with echo: one per token. */
export interface PromptLogprobs {
  /** Character offset of each token in the prompt. */
  offsets: number[];
  /** Log-probability of each token given those before it; null for the first, as servers do. */
  logprobs: Array<number | null>;
}
