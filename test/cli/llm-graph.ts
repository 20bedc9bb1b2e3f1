// The graph and inputs the llm tests share: one llm node against a mock-server.
import type { Test } from 'tap';
import { ndjson } from '../cli-process.js';
import { startMockServer, type MockServerProcess } from '../mock-server-process.js';

/** A graph with one llm node against `url`; `model` and `node` add YAML lines to each. */
export function graph(url: string, model: string[] = [], node: string[] = []): string {
  return [
    'models:',
    '  writer:',
    `    base_url: ${url}`,
    '    model: test-model',
    ...model.map((l) => `    ${l}`),
    'nodes:',
    '  answer:',
    '    type: llm',
    '    model: writer',
    '    messages:',
    '      - { role: system, content: "Be brief." }',
    '      - { role: user, content: "{question}" }',
    '    output: answer',
    ...node.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

export const questions = (n: number, prefix = 'q'): string => ndjson(Array.from({ length: n }, (_, i) => ({ id: i, question: `${prefix} number ${i}?` })));

export async function withServer(t: Test, args: string[], env: NodeJS.ProcessEnv = {}): Promise<MockServerProcess> {
  const server = await startMockServer(args, env);
  t.teardown(() => server.stop());
  return server;
}
