import { traceStorage } from '../../record/trace.js';
import { isKind, type Layer } from '../dispatch.js';
import type { Completion } from '../types.js';

/**
 * Notes each chat answer in the trace of the record it was made for (model, calls,
 * tokens, cache hits), for --provenance. Records outside a trace pay nothing.
 */
export function traceLayer(modelName: string): Layer {
  return (next) => (call) => {
    const trace = isKind(call, 'chat') ? traceStorage.getStore() : undefined;
    if (!trace) return next(call);
    return next(call).then((reply) => {
      const usage = (reply.value as Completion).usage;
      trace.models.add(modelName);
      trace.llmCalls++;
      trace.tokens += usage.prompt_tokens + usage.completion_tokens;
      if (reply.cached) trace.cached++;
      return reply;
    });
  };
}
