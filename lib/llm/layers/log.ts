import { callSites } from '../../record/trace.js';
import { costOf, type Price } from '../budget.js';
import type { Layer, ModelCall } from '../dispatch.js';
import type { RequestLog } from '../request-log.js';
import type { Completion } from '../types.js';

export interface LogLayerOptions {
  log: RequestLog;
  /** The model's name in the graph, and what it runs on. */
  model: string;
  provider: string;
  price?: Price;
}

/**
 * --log-requests: outermost, so each entry shows what the node asked and got, whether a
 * cache answered, and the whole latency (retries and backoff included).
 */
export function logLayer(o: LogLayerOptions): Layer {
  return (next) => async (call) => {
    if (call.kind !== 'chat' && call.kind !== 'completion') return next(call);
    const site = callSites.getStore();
    const began = performance.now();
    const base = () => ({
      time: new Date().toISOString(),
      node: site?.node ?? null,
      line: site?.line ?? null,
      ...(site?.id === undefined ? {} : { id: site.id }),
      model: o.model,
      provider: o.provider,
      kind: call.kind,
      request: requestOf(call),
      latency_ms: Math.round((performance.now() - began) * 10) / 10,
    });
    try {
      const reply = await next(call);
      const value = reply.value as Completion;
      const usage = value.usage;
      await o.log.write({
        ...base(),
        cache: reply.coalesced ? 'coalesced' : reply.cached ? 'hit' : 'miss',
        answer: value.text,
        ...(value.reasoning === undefined ? {} : { reasoning: value.reasoning }),
        ...(value.message.tool_calls ? { tool_calls: value.message.tool_calls } : {}),
        finish_reason: value.finish_reason,
        tokens: { prompt: usage.prompt_tokens, completion: usage.completion_tokens, ...(usage.reasoning_tokens ? { reasoning: usage.reasoning_tokens } : {}) },
        cost_usd: o.price && !reply.cached ? Math.round(costOf(o.price, usage.prompt_tokens, usage.completion_tokens) * 1e6) / 1e6 : o.price ? 0 : null,
      });
      return reply;
    } catch (err) {
      await o.log.write({ ...base(), error: (err as Error).message });
      throw err;
    }
  };
}

function requestOf(call: ModelCall): Record<string, unknown> {
  const input = call.input as Record<string, unknown>;
  const { params, sample, ...rest } = input;
  return { ...rest, params, ...(sample ? { sample } : {}) };
}
