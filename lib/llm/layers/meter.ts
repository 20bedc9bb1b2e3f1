import type { Layer } from '../dispatch.js';
import type { ModelUsage } from '../usage.js';

/** Counts each attempt (requests, in flight, latency) and the tokens of each answer, for --stats and progress. */
export function meterLayer(usage: ModelUsage): Layer {
  return (next) => async (call) => {
    const began = performance.now();
    usage.started();
    try {
      const reply = await next(call);
      if (reply.usage) {
        usage.prompt_tokens += reply.usage.prompt_tokens;
        usage.completion_tokens += reply.usage.completion_tokens;
        usage.reasoning_tokens += reply.usage.reasoning_tokens ?? 0;
      }
      return reply;
    } finally {
      usage.ended(performance.now() - began);
    }
  };
}
