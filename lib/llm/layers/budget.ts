import { costOf, type Budget, type Price } from '../budget.js';
import { isKind, type Layer, type ModelCall } from '../dispatch.js';
import { estimateTextTokens, estimateTokens } from '../tokens.js';

/**
 * Each call runs inside the run's budget (--max-cost, --max-requests): its worst case is
 * reserved before it is sent, and settled with what it cost once it is answered or failed.
 */
export function budgetLayer(budget: Budget, price: Price | undefined): Layer {
  return (next) => async (call) => {
    const worst = worstCost(call, price);
    budget.admit(worst);
    let cost = 0;
    try {
      const reply = await next(call);
      if (reply.usage) cost = costOf(price, reply.usage.prompt_tokens, reply.usage.completion_tokens);
      return reply;
    } finally {
      budget.settle(worst, cost);
    }
  };
}

/** The most a call may cost: its prompt, and every token it may generate (max_tokens, else 512). */
export function worstCost(call: ModelCall, price: Price | undefined): number {
  if (!price) return 0;
  if (isKind(call, 'chat')) {
    const { messages, params } = call.input;
    return costOf(price, estimateTokens(messages), typeof params.max_tokens === 'number' ? params.max_tokens : 512);
  }
  if (isKind(call, 'completion')) {
    const { prompt, params } = call.input;
    return costOf(price, Math.ceil(prompt.length / 4), typeof params.max_tokens === 'number' ? params.max_tokens : 512);
  }
  if (isKind(call, 'embeddings')) return costOf(price, estimateTextTokens(call.input.texts), 0);
  if (isKind(call, 'embedding')) return costOf(price, Math.ceil(call.input.text.length / 4), 0);
  return 0;
}
