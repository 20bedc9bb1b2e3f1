// The mock server in this process on a free loopback port, with options for the test.
import { MockServer, QUIET_MOCK, type MockServerOptions } from '../../../lib/llm/mock/server.js';

export async function listeningMock(options: Partial<MockServerOptions> = {}): Promise<{ server: MockServer; url: string }> {
  const server = new MockServer({ ...QUIET_MOCK, ...options });
  return { server, url: await server.listen() };
}
