import type { JsonObject } from '../record/item.js';
import type { OasstMessage } from './message.js';
import type { Path, PreferencePair } from './extract.js';

export type OutputFormat = 'sft' | 'dpo' | 'sharegpt' | 'oasst';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export function turns(path: Path): ChatTurn[] {
  return path.map((m) => ({ role: m.role === 'prompter' ? 'user' : 'assistant', content: m.text }));
}

/** What each turn carries besides its text: ids, ranks and the human labels, for later rules. */
export function meta(path: Path, extra: JsonObject = {}): JsonObject {
  return {
    tree_id: path[0]!.treeId,
    message_ids: path.map((m) => m.id),
    lang: path[0]!.lang,
    ranks: path.map((m) => m.rank),
    labels: path.map((m) => m.labels),
    ...extra,
  };
}

/** SFT in the OpenAI fine-tuning / TRL conversational layout. */
export function sftRecord(path: Path): JsonObject {
  return { id: path[path.length - 1]!.id, messages: turns(path), meta: meta(path) };
}

/** RL: a prompt to generate from, in TRL's conversational prompt-only layout. */
export function promptRecord(path: Path): JsonObject {
  return { id: path[path.length - 1]!.id, prompt: turns(path), meta: meta(path) };
}

export function sharegptRecord(path: Path): JsonObject {
  return { id: path[path.length - 1]!.id, conversations: sharegptTurns(path) };
}

function sharegptTurns(path: Path): Array<{ from: string; value: string }> {
  return path.map((m) => ({ from: m.role === 'prompter' ? 'human' : 'gpt', value: m.text }));
}

/** TRL's conversational preference layout; `flat` gives plain strings instead. */
export function dpoRecord(pair: PreferencePair, flat: boolean): JsonObject {
  const id = `${pair.chosen.id}:${pair.rejected.id}`;
  const info = meta(pair.prompt, { chosen_id: pair.chosen.id, rejected_id: pair.rejected.id, chosen_rank: pair.chosen.rank, rejected_rank: pair.rejected.rank });
  if (flat) return { id, prompt: flatPrompt(pair.prompt), chosen: pair.chosen.text, rejected: pair.rejected.text, meta: info };
  return {
    id,
    prompt: turns(pair.prompt),
    chosen: [{ role: 'assistant', content: pair.chosen.text }],
    rejected: [{ role: 'assistant', content: pair.rejected.text }],
    meta: info,
  };
}

/** LLaMA-Factory's ShareGPT preference layout. */
export function sharegptPairRecord(pair: PreferencePair): JsonObject {
  return {
    id: `${pair.chosen.id}:${pair.rejected.id}`,
    conversations: sharegptTurns(pair.prompt),
    chosen: { from: 'gpt', value: pair.chosen.text },
    rejected: { from: 'gpt', value: pair.rejected.text },
  };
}

/** A single-turn prompt is its text; a longer one labels each turn. */
function flatPrompt(path: Path): string {
  if (path.length === 1) return path[0]!.text;
  return path.map((m) => `${m.role === 'prompter' ? 'User' : 'Assistant'}: ${m.text}`).join('\n\n');
}

/** One OASST flat row, for the reverse direction. */
export function oasstRow(m: OasstMessage): JsonObject {
  const row: JsonObject = {
    message_id: m.id,
    parent_id: m.parentId,
    message_tree_id: m.treeId,
    role: m.role,
    text: m.text,
    lang: m.lang,
  };
  if (m.rank !== null) row.rank = m.rank;
  if (m.labels !== null) row.labels = m.labels;
  if (m.createdDate !== null) row.created_date = m.createdDate;
  return row;
}
