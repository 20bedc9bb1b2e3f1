// The mock server in this process on a free loopback port, with options for the test.
import { MockServer, type MockServerOptions } from '../../../lib/llm/mock/server.js';

export async function listeningMock(options: Partial<MockServerOptions> = {}): Promise<{ server: MockServer; url: string }> {
  const server = new MockServer({
    port: 0,
    host: '127.0.0.1',
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0,
    badJsonFirst: 0,
    failFirst: 0,
    failStatus: 503,
    resetFirst: 0,
    jsonStyle: 'plain',
    jsonFault: 'none',
    jsonFaultFirst: 0,
    seed: 1,
    ...options,
  });
  return { server, url: await server.listen() };
}
