import type { NodeDefinition } from './definition.js';
import { agentNode } from './agent.js';
import { codeNode } from './code.js';
import { completionNode } from './completion.js';
import { decontaminateNode } from './decontaminate.js';
import { dedupNode } from './dedup.js';
import { filterNode } from './filter.js';
import { ifdNode } from './ifd.js';
import { judgeNode } from './judge.js';
import { llmNode } from './llm.js';
import { lookupNode } from './lookup.js';
import { pairwiseJudgeNode } from './pairwise-judge.js';
import { piiLlmNode } from './pii-llm.js';
import { mapNode } from './map.js';
import { multiLlmNode } from './multi-llm.js';
import { qualityRulesNode } from './quality-rules.js';
import { rateNode } from './rate.js';
import { rewardNode } from './reward.js';
import { samplerNode } from './sampler.js';
import { subgraphNode } from './subgraph.js';

/** Node types by name. Adding a type is adding its file and one line here. */
export const nodeTypes: ReadonlyMap<string, NodeDefinition> = new Map<string, NodeDefinition>(
  [
    filterNode,
    mapNode,
    codeNode,
    llmNode,
    qualityRulesNode,
    judgeNode,
    pairwiseJudgeNode,
    samplerNode,
    multiLlmNode,
    agentNode,
    subgraphNode,
    dedupNode,
    rewardNode,
    ifdNode,
    piiLlmNode,
    rateNode,
    completionNode,
    lookupNode,
    decontaminateNode,
  ].map((d) => [d.type, d as unknown as NodeDefinition]),
);
