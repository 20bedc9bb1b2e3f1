import { callSites, type CallSite } from '../../record/trace.js';
import { costOf, type Price } from '../budget.js';
import type { Layer, ModelCall, ModelReply } from '../dispatch.js';
import type { RequestLog } from '../request-log.js';
import { TransportError } from '../transport-error.js';
import type { Completion } from '../types.js';

export interface LogLayerOptions {
  log: RequestLog;
  /** The model's name in the graph, and what it runs on. */
  model: string;
  provider: string;
  price?: Price;
}

/**
 * --log-requests, as two layers that share what they know of each call:
 * - `top`, outermost, notes the call's site (node, line, id) as the call comes in: the
 *   async context that carries it does not survive every wait below (the limiter's), and
 *   with --log-cache-hits it writes a line for each call answered without a request of
 *   its own: from a cache (`hit`) or by joining an identical request in flight (`coalesced`);
 * - `attempt`, under the retry layer, writes one line per attempt sent to the server, so a
 *   call tried three times is three lines (attempt 1, 2, 3), each with its own latency and
 *   its answer or error. What never reached the server is not logged.
 */
export function requestLogLayers(o: LogLayerOptions): { top: Layer; attempt: Layer } {
  const sites = new WeakMap<ModelCall, CallSite | undefined>();
  const attempts = new WeakMap<ModelCall, number>();
  const logged = (call: ModelCall): boolean => call.kind === 'chat' || call.kind === 'completion';
  const top: Layer = (next) => async (call) => {
    if (!logged(call)) return next(call);
    const site = callSites.getStore();
    sites.set(call, site);
    const began = performance.now();
    const reply = await next(call);
    if (o.log.cacheHits && (reply.cached || reply.coalesced)) await o.log.write({ ...entry(o, call, began, site), cache: reply.coalesced ? 'coalesced' : 'hit', ...answer(o, reply, true) });
    return reply;
  };
  const attempt: Layer = (next) => async (call) => {
    if (!logged(call)) return next(call);
    const number = (attempts.get(call) ?? 0) + 1;
    attempts.set(call, number);
    const site = sites.get(call);
    const began = performance.now();
    try {
      const reply = await next(call);
      await o.log.write({ ...entry(o, call, began, site), attempt: number, cache: 'miss', ...answer(o, reply, false) });
      return reply;
    } catch (err) {
      const status = err instanceof TransportError ? err.status : undefined;
      await o.log.write({ ...entry(o, call, began, site), attempt: number, ...(status === undefined ? {} : { status }), error: (err as Error).message });
      throw err;
    }
  };
  return { top, attempt };
}

/** The line's common part; `site` is read when the call comes in (a context may not survive every await below). */
function entry(o: LogLayerOptions, call: ModelCall, began: number, site: CallSite | undefined): Record<string, unknown> {
  return {
    time: new Date().toISOString(),
    node: site?.node ?? null,
    line: site?.line ?? null,
    ...(site?.id === undefined ? {} : { id: site.id }),
    model: o.model,
    provider: o.provider,
    kind: call.kind,
    request: requestOf(call),
    latency_ms: Math.round((performance.now() - began) * 10) / 10,
  };
}

function answer(o: LogLayerOptions, reply: ModelReply, free: boolean): Record<string, unknown> {
  const value = reply.value as Completion;
  const usage = value.usage;
  return {
    answer: value.text,
    ...(value.reasoning === undefined ? {} : { reasoning: value.reasoning }),
    ...(value.message.tool_calls ? { tool_calls: value.message.tool_calls } : {}),
    finish_reason: value.finish_reason,
    tokens: { prompt: usage.prompt_tokens, completion: usage.completion_tokens, ...(usage.reasoning_tokens ? { reasoning: usage.reasoning_tokens } : {}) },
    cost_usd: o.price && !free ? Math.round(costOf(o.price, usage.prompt_tokens, usage.completion_tokens) * 1e6) / 1e6 : o.price ? 0 : null,
  };
}

function requestOf(call: ModelCall): Record<string, unknown> {
  const input = call.input as Record<string, unknown>;
  const { params, sample, ...rest } = input;
  return { ...rest, params, ...(sample ? { sample } : {}) };
}
