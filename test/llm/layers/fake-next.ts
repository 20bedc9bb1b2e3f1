// A stand-in for the rest of a model client's chain: records the calls it gets and
// answers each with what the test scripts.
import type { CallKind, Dispatch, ModelCall, ModelReply } from '../../../lib/llm/dispatch.js';

export interface FakeNext {
  dispatch: Dispatch;
  calls: ModelCall[];
}

export function fakeNext(answer: (call: ModelCall, index: number) => Promise<ModelReply> | ModelReply): FakeNext {
  const calls: ModelCall[] = [];
  const dispatch = (<K extends CallKind>(call: ModelCall<K>) => {
    calls.push(call as ModelCall);
    return Promise.resolve(answer(call as ModelCall, calls.length - 1)) as Promise<ModelReply<K>>;
  }) as Dispatch;
  return { dispatch, calls };
}

export const chatCall = (content: string, params: Record<string, unknown> = {}): ModelCall<'chat'> => ({
  kind: 'chat',
  input: { messages: [{ role: 'user', content }], params },
});

export const completion = (text: string, prompt = 10, generated = 5): ModelReply<'chat'> => {
  const usage = { prompt_tokens: prompt, completion_tokens: generated };
  return { value: { text, finish_reason: 'stop', usage, message: { role: 'assistant', content: text } }, usage };
};
