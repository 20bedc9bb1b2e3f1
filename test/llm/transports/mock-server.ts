// The mock server in this process on a free loopback port, with options for the test.
import { MockServer, QUIET_MOCK, type MockServerOptions } from '../../../lib/llm/mock/server.js';
import type { OpenAiTransportOptions } from '../../../lib/llm/transports/openai.js';

export async function listeningMock(options: Partial<MockServerOptions> = {}): Promise<{ server: MockServer; url: string }> {
  const server = new MockServer({ ...QUIET_MOCK, ...options });
  return { server, url: await server.listen() };
}

/** Options of an OpenAI transport to `url`, for transport tests. */
export const openAiOptions = (url: string, more: Partial<OpenAiTransportOptions> = {}): OpenAiTransportOptions => ({
  name: 'gen',
  model: 'mock-1',
  baseUrls: [url],
  timeoutMs: 5000,
  connections: 4,
  balance: 'least_outstanding',
  onRateLimit: () => {},
  ...more,
});
