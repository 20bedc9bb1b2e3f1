import { estimateTextTokens } from '../tokens.js';
import { byKind, type Transport } from '../dispatch.js';
import { mockCompletion, mockTextCompletion } from '../mock/completion.js';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from '../mock/embedding.js';
import { mockPromptLogprobs, mockReward } from '../mock/scores.js';
import { chatBody, completionBody } from '../wire.js';

/** The built-in deterministic model, in process: no network, the same answer for the same request. */
export function mockTransport(model: string): Transport {
  const vectors = (texts: readonly string[], dimensions: number | undefined) => ({
    value: texts.map((t) => mockEmbedding(t, dimensions ?? MOCK_EMBEDDING_DIMENSIONS)),
    usage: { prompt_tokens: estimateTextTokens(texts), completion_tokens: 0 },
  });
  return {
    dispatch: byKind({
      chat: async (request) => {
        const completion = mockCompletion(chatBody(model, request));
        return { value: completion, usage: completion.usage };
      },
      embedding: async ({ text, dimensions }) => {
        const { value, usage } = vectors([text], dimensions);
        return { value: value[0] as Float32Array, usage };
      },
      embeddings: async ({ texts, dimensions }) => vectors(texts, dimensions),
      reward: async ({ messages }) => ({ value: mockReward(messages) }),
      prompt_logprobs: async ({ prompt }) => ({ value: mockPromptLogprobs(prompt) }),
      completion: async (request) => {
        const completion = mockTextCompletion(completionBody(model, request));
        return { value: completion, usage: completion.usage };
      },
    }),
    preflight: async () => [],
    close: async () => {},
  };
}
