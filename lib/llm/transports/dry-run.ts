import { compose, forKinds, type Transport } from '../dispatch.js';
import { mockCompletion, mockTextCompletion } from '../mock/completion.js';
import { chatBody, completionBody, type WireRequest } from '../wire.js';
import { mockTransport } from './mock.js';
import { anthropicBody } from '../anthropic-wire.js';

/**
 * --dry-run: each chat request is handed to `record` as it would be sent (in the provider's
 * own shape: Anthropic's Messages API body for an anthropic model), and answered by the
 * built-in mock so that the graph runs on; nothing reaches a server.
 */
export function dryRunTransport(
  modelName: string,
  model: string,
  record: (modelName: string, request: WireRequest | Record<string, unknown>) => void,
  provider: 'openai' | 'azure' | 'anthropic' | 'mock' = 'openai',
): Transport {
  const mock = mockTransport(model);
  const recordChat = forKinds(['chat'], async (call) => {
    const body = chatBody(model, call.input);
    record(modelName, provider === 'anthropic' ? anthropicBody(model, call.input) : body);
    return { value: mockCompletion(body) };
  });
  const recordCompletion = forKinds(['completion'], async (call) => {
    const body = completionBody(model, call.input);
    record(modelName, body);
    return { value: mockTextCompletion(body) };
  });
  return { ...mock, dispatch: compose(mock.dispatch, [recordChat, recordCompletion]) };
}
