/** When and how long to wait before trying a request again. The one place retries are decided. */

/** 408 timeout, 409 conflict, 429 rate limit, and any 5xx are worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Durations as OpenAI writes them in x-ratelimit-reset-*: "1s", "6m0s", "20ms", "1.5s". */
export function parseDuration(text: string | string[] | undefined): number | undefined {
  const value = value0(text);
  if (!value) return undefined;
  let total = 0;
  let matched = false;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (matched) return total;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function value0(text: string | string[] | undefined): string | undefined {
  return Array.isArray(text) ? text[0] : text;
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and min(cap, base·2^attempt),
 * so that clients that failed together do not retry together. A server's Retry-After wins
 * (capped, since a server may ask for hours).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.capMs * 4);
  return random() * Math.min(options.capMs, options.baseMs * 2 ** attempt);
}
