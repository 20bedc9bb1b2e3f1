import { isKind, type Layer, type ModelCall } from '../dispatch.js';
import type { RequestLimiter } from '../limiter.js';
import { TransportError } from '../transport-error.js';
import { estimateTextTokens, estimateTokens } from '../tokens.js';

/**
 * Each attempt waits for the model's limiter (concurrency, rpm, tpm) and gives its slot
 * back when answered; the tokens it really used correct the token bucket. It sits under
 * the retry layer: a retry is a request the server counts, and a call sleeping in backoff
 * holds no slot.
 */
export function limitLayer(limiter: RequestLimiter): Layer {
  return (next) => async (call) => {
    const estimate = tokenEstimate(call);
    await limiter.acquire(estimate);
    const epoch = limiter.epoch;
    let used: number | undefined;
    try {
      const reply = await next(call);
      if (reply.usage) used = reply.usage.prompt_tokens + reply.usage.completion_tokens;
      limiter.succeeded();
      return reply;
    } catch (err) {
      if (err instanceof TransportError && isOverload(err)) {
        // 429 and 529 hold every request of the model back, as long as the server asks.
        if (err.status === 429 || err.status === 529) limiter.pauseUntil(Date.now() + (err.retryAfterMs ?? 1000));
        // A server that says when to come back is obeyed as it says; one that does not
        // (or is too slow to answer) gets fewer requests at once.
        if (err.retryAfterMs === undefined) limiter.overloaded(epoch);
      }
      throw err;
    } finally {
      limiter.release(estimate, used);
    }
  };
}

/** Too many requests (429), overloaded (529, Anthropic's), or too slow to answer: fewer in flight would help. */
function isOverload(err: TransportError): boolean {
  return err.status === 429 || err.status === 529 || err.status === 503 || /timed out after/.test(err.message);
}

/** Tokens a call is expected to use, before it is sent: a chat's prompt and its max_tokens (else 256). */
export function tokenEstimate(call: ModelCall): number {
  if (isKind(call, 'chat')) {
    const { messages, params } = call.input;
    return estimateTokens(messages) + (typeof params.max_tokens === 'number' ? params.max_tokens : 256);
  }
  if (isKind(call, 'completion')) return Math.ceil(call.input.prompt.length / 4) + (typeof call.input.params.max_tokens === 'number' ? call.input.params.max_tokens : 256);
  if (isKind(call, 'embeddings')) return estimateTextTokens(call.input.texts);
  if (isKind(call, 'embedding')) return Math.ceil(call.input.text.length / 4);
  return 64;
}
