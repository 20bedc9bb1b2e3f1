import type { NodeDefinition } from './definition.js';

type Loader = () => Promise<{ readonly type: string }>;

/**
 * Node types by name, each imported the first time a graph uses it: a filter graph loads
 * no LLM client, no quality rules and no dedup index. Adding a type is adding its file and
 * one line here.
 */
const LOADERS: Readonly<Record<string, Loader>> = {
  filter: async () => (await import('./filter.js')).filterNode,
  map: async () => (await import('./map.js')).mapNode,
  code: async () => (await import('./code.js')).codeNode,
  llm: async () => (await import('./llm.js')).llmNode,
  quality_rules: async () => (await import('./quality-rules.js')).qualityRulesNode,
  judge: async () => (await import('./judge.js')).judgeNode,
  pairwise_judge: async () => (await import('./pairwise-judge.js')).pairwiseJudgeNode,
  sampler: async () => (await import('./sampler.js')).samplerNode,
  multi_llm: async () => (await import('./multi-llm.js')).multiLlmNode,
  agent: async () => (await import('./agent.js')).agentNode,
  subgraph: async () => (await import('./subgraph.js')).subgraphNode,
  dedup: async () => (await import('./dedup.js')).dedupNode,
  reward: async () => (await import('./reward.js')).rewardNode,
  ifd: async () => (await import('./ifd.js')).ifdNode,
  pii_llm: async () => (await import('./pii-llm.js')).piiLlmNode,
  rate: async () => (await import('./rate.js')).rateNode,
  completion: async () => (await import('./completion.js')).completionNode,
  lookup: async () => (await import('./lookup.js')).lookupNode,
  decontaminate: async () => (await import('./decontaminate.js')).decontaminateNode,
};

/** The names of every node type, in the order `validate` lists them. */
export const NODE_TYPE_NAMES: readonly string[] = Object.keys(LOADERS);

/** The definition of the node type `name`, or undefined when there is no such type. */
export async function nodeType(name: string): Promise<NodeDefinition | undefined> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  return load ? ((await load()) as unknown as NodeDefinition) : undefined;
}

/** Every node type, by name (for the schema, the docs and the tests). */
export async function allNodeTypes(): Promise<ReadonlyMap<string, NodeDefinition>> {
  const definitions = await Promise.all(NODE_TYPE_NAMES.map(async (name) => [name, (await nodeType(name))!] as const));
  return new Map(definitions);
}
