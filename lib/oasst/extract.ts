import type { OasstMessage } from './message.js';

/** A conversation taken from a tree: the path from the root to its last message. */
export type Path = OasstMessage[];

/** A preference pair: the prompt path (ending on the prompter turn) and two replies to it. */
export interface PreferencePair {
  prompt: Path;
  chosen: OasstMessage;
  rejected: OasstMessage;
}

/** Lower rank first; unranked after ranked; then earlier created_date; then message_id. */
export function byPreference(a: OasstMessage, b: OasstMessage): number {
  if (a.rank !== b.rank) {
    if (a.rank === null) return 1;
    if (b.rank === null) return -1;
    return a.rank - b.rank;
  }
  return byAge(a, b);
}

/** Earlier created_date first, then message_id: the order children are kept in. */
export function byAge(a: OasstMessage, b: OasstMessage): number {
  const da = a.createdDate ?? '';
  const db = b.createdDate ?? '';
  if (da !== db) return da < db ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * SFT: one conversation for every assistant message with no assistant message anywhere
 * below it; the conversation is the path from the root to it.
 */
export function sftPaths(root: OasstMessage): Path[] {
  const out: Path[] = [];
  const path: OasstMessage[] = [];
  // Depth first with an explicit stack (a chain of thousands of turns must not overflow);
  // `below` says whether an assistant message sits under the frame's message.
  const frames: Array<{ m: OasstMessage; next: number; below: boolean }> = [{ m: root, next: 0, below: false }];
  path.push(root);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    if (f.next < f.m.children.length) {
      const child = f.m.children[f.next++]!;
      frames.push({ m: child, next: 0, below: false });
      path.push(child);
      continue;
    }
    if (f.m.role === 'assistant' && !f.below) out.push([...path]);
    frames.pop();
    path.pop();
    const parent = frames[frames.length - 1];
    if (parent) parent.below ||= f.below || f.m.role === 'assistant';
  }
  return out;
}

/**
 * One conversation per tree: from the root, always the preferred reply (lowest rank),
 * cut back to end on an assistant turn; none when no assistant turn is reached.
 */
export function bestPath(root: OasstMessage): Path | null {
  const path = [root];
  let node = root;
  while (node.children.length > 0) {
    node = [...node.children].sort(byPreference)[0]!;
    path.push(node);
  }
  while (path.length > 0 && path[path.length - 1]!.role !== 'assistant') path.pop();
  return path.length > 0 ? path : null;
}

/**
 * DPO: for each prompter message with at least two ranked assistant replies, the best
 * (lowest rank) against each worse one (`best-vs-rest`), or every pair whose ranks differ,
 * better first (`all`). Replies of equal rank are never paired.
 */
export function preferencePairs(root: OasstMessage, mode: 'best-vs-rest' | 'all'): PreferencePair[] {
  const out: PreferencePair[] = [];
  const pairsAt = (m: OasstMessage, path: readonly OasstMessage[]): void => {
    if (m.role === 'prompter') {
      const ranked = m.children.filter((c) => c.role === 'assistant' && c.rank !== null).sort(byPreference);
      if (ranked.length >= 2) {
        const prompt = [...path];
        if (mode === 'best-vs-rest') {
          const chosen = ranked[0]!;
          for (const r of ranked) if (r.rank! > chosen.rank!) out.push({ prompt, chosen, rejected: r });
        } else {
          for (let i = 0; i < ranked.length; i++) {
            for (let j = i + 1; j < ranked.length; j++) {
              if (ranked[i]!.rank! < ranked[j]!.rank!) out.push({ prompt, chosen: ranked[i]!, rejected: ranked[j]! });
            }
          }
        }
      }
    }
  };
  walkPaths(root, pairsAt);
  return out;
}

/**
 * Visits every message under `root` (itself included) depth first, with the path from the
 * root to it; an explicit stack, as in sftPaths. `path` ends with `m` and changes as the
 * walk goes on: copy what is kept.
 */
function walkPaths(root: OasstMessage, visit: (m: OasstMessage, path: readonly OasstMessage[]) => void): void {
  const path: OasstMessage[] = [root];
  const frames: Array<{ m: OasstMessage; next: number }> = [{ m: root, next: 0 }];
  visit(root, path);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    if (f.next < f.m.children.length) {
      const child = f.m.children[f.next++]!;
      frames.push({ m: child, next: 0 });
      path.push(child);
      visit(child, path);
      continue;
    }
    frames.pop();
    path.pop();
  }
}

/** Whether a conversation alternates user/assistant, starting with the user. */
export function alternates(path: Path): boolean {
  return path.every((m, i) => m.role === (i % 2 === 0 ? 'prompter' : 'assistant'));
}

/**
 * top_k: keeps a conversation only if each of its assistant turns is among the k best
 * ranked replies to its prompt (rank < k); an unranked reply counts only where it was the
 * one reply to its prompt.
 */
export function withinTopK(path: Path, k: number): boolean {
  return path.every((m, i) => {
    if (m.role !== 'assistant') return true;
    if (m.rank === null) return i === 0 || path[i - 1]!.children.length <= 1;
    return m.rank < k;
  });
}

/** RL prompts: every conversation from the root that ends on a prompter turn. */
export function promptPaths(root: OasstMessage): Path[] {
  const out: Path[] = [];
  walkPaths(root, (m, path) => {
    if (m.role === 'prompter') out.push([...path]);
  });
  return out;
}
