import type { ModelClient } from '../llm/model-client.js';
import type { ChatMessage } from '../llm/types.js';

/** An answer read: the value, or why it cannot be used (said in the error after the last attempt). */
export type JsonReading<T> = { value: T } | { error: string };

export interface JsonQuestion<T> {
  messages: ChatMessage[];
  params?: Record<string, unknown>;
  /** The `response_format` sent (a JSON Schema, for servers that enforce it). */
  responseFormat?: Record<string, unknown>;
  /** Requests in all: the first and the retries. */
  attempts: number;
  /** The `sample` index of attempt `k` (default k): each attempt is its own request and cache entry. */
  sampleOf?: (attempt: number) => number;
  /** Reads an answer's text. */
  read: (text: string) => JsonReading<T>;
  /** What failed, to open the error: "no valid JSON", `judge "j" gave no usable scores`. */
  what: string;
}

/**
 * Asks a model for an answer in JSON until one reads, up to `attempts` requests; then fails
 * with the last reason and the start of the last answer. A retry is a new request (its own
 * sample index), so it never gets the cached bad answer again.
 */
export async function askForJson<T>(client: Pick<ModelClient, 'chat'>, question: JsonQuestion<T>): Promise<T> {
  let failure = '';
  let raw = '';
  for (let attempt = 0; attempt < question.attempts; attempt++) {
    const sample = question.sampleOf ? question.sampleOf(attempt) : attempt;
    raw = (await client.chat({ messages: question.messages, params: question.params ?? {}, response_format: question.responseFormat, sample })).text;
    const reading = question.read(raw);
    if ('value' in reading) return reading.value;
    failure = reading.error;
  }
  throw new JsonAnswerError(question.what, question.attempts, failure, raw);
}

/** No answer read after every attempt. The message says how many, why the last failed, and how it began. */
export class JsonAnswerError extends Error {
  constructor(
    what: string,
    readonly attempts: number,
    readonly reason: string,
    readonly lastAnswer: string,
  ) {
    super(`${what} after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${reason}; raw answer: ${lastAnswer.length > 300 ? `${lastAnswer.slice(0, 299)}…` : lastAnswer}`);
  }
}
