import type { NodeDefinition } from './definition.js';
import { codeNode } from './code.js';
import { filterNode } from './filter.js';
import { judgeNode } from './judge.js';
import { llmNode } from './llm.js';
import { pairwiseJudgeNode } from './pairwise-judge.js';
import { mapNode } from './map.js';
import { qualityRulesNode } from './quality-rules.js';

/** Node types by name. Adding a type is adding its file and one line here. */
export const nodeTypes: ReadonlyMap<string, NodeDefinition> = new Map<string, NodeDefinition>(
  [filterNode, mapNode, codeNode, llmNode, qualityRulesNode, judgeNode, pairwiseJudgeNode].map((d) => [d.type, d as unknown as NodeDefinition]),
);
