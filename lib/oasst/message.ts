import { isJsonObject, type JsonObject } from '../record/item.js';

export type OasstRole = 'prompter' | 'assistant';

/** One OASST message, from either input layout, with its kept children once the tree is built. */
export interface OasstMessage {
  id: string;
  parentId: string | null;
  treeId: string;
  role: OasstRole;
  text: string;
  lang: string | null;
  rank: number | null;
  deleted: boolean;
  reviewResult: boolean | null;
  createdDate: string | null;
  labels: JsonObject | null;
  /** Written by a model rather than a person (the export's `synthetic`). */
  synthetic: boolean;
  /** The tree's state in the export (`ready_for_export`, `growing`, …), where the line says. */
  treeState: string | null;
  /** Input line the message came from (for errors). */
  line: number;
  children: OasstMessage[];
}

/**
 * A copy of a string that does not share memory with the line it was parsed from. V8 may
 * keep a parsed string as a slice of its whole input line; buffered messages would then
 * hold every line (labels, scores and all) until the end of input.
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

/** Which layout a line is in: a whole tree, or one flat message. */
export type OasstLayout = 'trees' | 'messages';

export function detectLayout(row: JsonObject): OasstLayout | null {
  if (isJsonObject(row.prompt) && 'message_tree_id' in row) return 'trees';
  if (typeof row.message_id === 'string' && 'parent_id' in row) return 'messages';
  return null;
}

/**
 * Reads one flat message; returns the reason when a required field is missing or wrong.
 * Inside a tree the parent and tree ids come from the nesting (`inTree`).
 */
export function readMessage(row: JsonObject, line: number, inTree?: { parentId: string | null; treeId: string | undefined; treeState?: string | null }): OasstMessage | string {
  if (typeof row.message_id !== 'string' || row.message_id === '') return 'missing message_id';
  const parent = inTree ? inTree.parentId : row.parent_id;
  if (parent !== null && parent !== undefined && typeof parent !== 'string') return `message ${row.message_id}: parent_id must be a string or null`;
  const tree = inTree?.treeId ?? row.message_tree_id;
  if (typeof tree !== 'string') return `message ${row.message_id}: missing message_tree_id`;
  if (row.role !== 'prompter' && row.role !== 'assistant') return `message ${row.message_id}: role must be "prompter" or "assistant", got ${JSON.stringify(row.role)}`;
  if (typeof row.text !== 'string') return `message ${row.message_id}: missing text`;
  // A tree is finished within its own line: only flat messages, which wait for the rest of
  // their tree, need copies that let their line go.
  const own = inTree ? (t: string) => t : ownCopy;
  return {
    id: own(row.message_id),
    parentId: typeof parent === 'string' ? own(parent) : null,
    treeId: own(tree),
    role: row.role,
    text: own(row.text),
    lang: typeof row.lang === 'string' ? row.lang : null,
    rank: typeof row.rank === 'number' ? row.rank : null,
    deleted: row.deleted === true,
    reviewResult: typeof row.review_result === 'boolean' ? row.review_result : null,
    createdDate: typeof row.created_date === 'string' ? own(row.created_date) : null,
    labels: isJsonObject(row.labels) ? row.labels : null,
    synthetic: row.synthetic === true,
    treeState: inTree?.treeState ?? (typeof row.tree_state === 'string' ? row.tree_state : null),
    line,
    children: [],
  };
}

/**
 * Flattens a `trees` line into its messages, parents before children. Parent links come
 * from the nesting; a malformed node is reported and its subtree skipped.
 */
export function flattenTree(row: JsonObject, line: number, onProblem: (message: string) => void): OasstMessage[] {
  const treeId = typeof row.message_tree_id === 'string' ? row.message_tree_id : undefined;
  const out: OasstMessage[] = [];
  // An explicit stack, not recursion: a chain of thousands of replies must not overflow.
  const stack: Array<{ node: JsonObject; parentId: string | null }> = [{ node: row.prompt as JsonObject, parentId: null }];
  while (stack.length > 0) {
    const { node, parentId } = stack.pop()!;
    const m = readMessage(node, line, { parentId, treeId: treeId ?? (node.message_tree_id as string | undefined), treeState: typeof row.tree_state === 'string' ? row.tree_state : null });
    if (typeof m === 'string') {
      onProblem(m);
      continue;
    }
    out.push(m);
    const replies = Array.isArray(node.replies) ? node.replies : [];
    // Pushed last to first, so the first reply comes out next: parents before children, in order.
    for (let i = replies.length - 1; i >= 0; i--) if (isJsonObject(replies[i])) stack.push({ node: replies[i] as JsonObject, parentId: m.id });
  }
  return out;
}
