import type { Item, JsonObject } from '../record/item.js';
import { alternates, bestPath, byAge, preferencePairs, promptPaths, sftPaths, withinTopK, type Path } from './extract.js';
import { hash64 } from '../hashing/string-hash.js';
import { detectLayout, flattenTree, readMessage, type OasstLayout, type OasstMessage } from './message.js';
import { dpoRecord, oasstRow, promptRecord, sftRecord, sharegptPairRecord, sharegptRecord, type OutputFormat } from './shape.js';

export interface OasstOptions {
  layout: 'auto' | OasstLayout;
  /** sft: conversations; dpo: preference pairs; rl: prompts (conversations ending on a user turn). */
  mode: 'sft' | 'dpo' | 'rl';
  bestPath: boolean;
  pairs: 'best-vs-rest' | 'all';
  format: OutputFormat;
  flat: boolean;
  /** Keep trees whose root has one of these languages; null keeps all. */
  langs: string[] | null;
  /** Input grouped by tree: a tree is finished when the next one begins. */
  sorted: boolean;
  /** Keep trees in one of these export states (e.g. ready_for_export); null keeps all. */
  treeStates?: string[] | null;
  /** Keep model-written (`synthetic`) messages; by default they go, with what is below them. */
  keepSynthetic?: boolean;
  /** sft: keep conversations whose assistant turns are all among the k best ranked replies. */
  topK?: number | null;
  /** Assign each tree to train (with this probability) or validation, by a hash of its id and the seed. */
  split?: { train: number; seed: number } | null;
}

/** Where every input message went; `messages_in` is the sum of the rest. */
export interface OasstCounts {
  messages_in: number;
  kept: number;
  duplicates: number;
  pruned_deleted: number;
  pruned_review: number;
  dropped_lang: number;
  /** Messages of trees whose state --tree-state does not keep. */
  dropped_tree_state: number;
  /** Model-written messages, with their subtrees. */
  pruned_synthetic: number;
  orphaned: number;
  trees: number;
  /** Conversations (sft) or pairs (dpo) written. */
  records_out: number;
  identical_pairs_skipped: number;
  /** sft: conversations left out by --top-k. */
  outside_top_k: number;
  /** With --split: records written to each side. */
  split_train: number;
  split_validation: number;
  /** Lines that were not OASST messages or trees, and orphans: written with --errors. */
  errors: number;
}

/**
 * OASST data in, conversations out. Messages are de-duplicated by message_id on arrival
 * (the first occurrence wins, with its subtree), deleted and rejected messages are pruned
 * with their subtrees, trees are filtered by the root's language, then SFT conversations,
 * a best path, or DPO pairs are taken and shaped.
 *
 * Memory: trees-layout input holds one tree at a time. Messages-layout input holds every
 * unfinished tree: with `sorted`, one tree; without, the whole input until its end. A set
 * of every message_id seen (for de-duplication) is kept in both cases.
 */
export class OasstConverter {
  readonly counts: OasstCounts = {
    messages_in: 0,
    kept: 0,
    duplicates: 0,
    pruned_deleted: 0,
    pruned_review: 0,
    dropped_lang: 0,
    dropped_tree_state: 0,
    pruned_synthetic: 0,
    orphaned: 0,
    trees: 0,
    records_out: 0,
    identical_pairs_skipped: 0,
    outside_top_k: 0,
    split_train: 0,
    split_validation: 0,
    errors: 0,
  };
  /** The side of the split the tree being taken is on, with --split. */
  private side: 'train' | 'validation' | null = null;
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, OasstMessage[]>();
  private currentTree: string | null = null;
  private readonly rowsWritten = new Set<string>();
  private seq = 0;

  constructor(private readonly options: OasstOptions) {}

  push(item: Item): Item[] {
    const out: Item[] = [];
    if (item.outcome) {
      this.counts.errors++;
      out.push(item);
      return out;
    }
    const layout = this.options.layout === 'auto' ? detectLayout(item.record) : this.options.layout;
    if (layout === 'trees') {
      const problems: string[] = [];
      const messages = flattenTree(item.record, item.line, (p) => problems.push(p));
      for (const p of problems) out.push(this.error(item.line, p, item.record));
      this.counts.messages_in += messages.length;
      const dropped = new Set<string>();
      const fresh: OasstMessage[] = [];
      for (const m of messages) {
        if ((m.parentId !== null && dropped.has(m.parentId)) || this.seen.has(m.id)) {
          this.counts.duplicates++;
          dropped.add(m.id);
          continue;
        }
        this.seen.add(m.id);
        fresh.push(m);
      }
      if (fresh.length > 0) this.finish(fresh, out);
      return out;
    }
    if (layout === 'messages') {
      const m = readMessage(item.record, item.line);
      if (typeof m === 'string') {
        out.push(this.error(item.line, m, item.record));
        return out;
      }
      this.counts.messages_in++;
      if (this.seen.has(m.id)) {
        this.counts.duplicates++;
        return out;
      }
      this.seen.add(m.id);
      if (this.options.sorted && this.currentTree !== null && this.currentTree !== m.treeId) this.flushTree(this.currentTree, out);
      this.currentTree = m.treeId;
      let bucket = this.pending.get(m.treeId);
      if (!bucket) this.pending.set(m.treeId, (bucket = []));
      bucket.push(m);
      return out;
    }
    out.push(this.error(item.line, 'not an OASST message (message_id, parent_id) or tree (message_tree_id, prompt)', item.record));
    return out;
  }

  /** Finishes every tree still buffered. */
  end(): Item[] {
    const out: Item[] = [];
    for (const treeId of [...this.pending.keys()]) this.flushTree(treeId, out);
    return out;
  }

  private flushTree(treeId: string, out: Item[]): void {
    const messages = this.pending.get(treeId);
    this.pending.delete(treeId);
    if (messages) this.finish(messages, out);
  }

  /** Links a tree's messages, reports orphans, and takes conversations from each root. */
  private finish(messages: OasstMessage[], out: Item[]): void {
    const byId = new Map(messages.map((m) => [m.id, m]));
    const roots: OasstMessage[] = [];
    for (const m of messages) {
      if (m.parentId === null) roots.push(m);
      else {
        const parent = byId.get(m.parentId);
        if (parent) parent.children.push(m);
        else out.push(this.error(m.line, `message ${m.id}: its parent ${m.parentId} never appeared`, oasstRow(m)));
      }
    }
    for (const m of messages) if (m.children.length > 1) m.children.sort(byAge);
    // An orphan, and every message below it, cannot be placed in a conversation.
    let reachable = 0;
    for (const root of roots) reachable += size(root);
    this.counts.orphaned += messages.length - reachable;
    for (const root of roots) this.take(root, out);
  }

  private take(root: OasstMessage, out: Item[]): void {
    this.counts.trees++;
    if (this.options.treeStates && !this.options.treeStates.includes(root.treeState ?? '')) {
      this.counts.dropped_tree_state += size(root);
      return;
    }
    if (this.options.langs && !this.options.langs.includes(root.lang ?? '')) {
      this.counts.dropped_lang += size(root);
      return;
    }
    if (!this.prune(root)) return;
    this.counts.kept += size(root);
    const line = root.line;
    const split = this.options.split;
    // The whole tree goes to one side: no conversation of it is on both.
    this.side = split ? (unitHash(`${split.seed}:${root.treeId}`) < split.train ? 'train' : 'validation') : null;
    if (this.options.mode === 'rl') {
      for (const path of promptPaths(root)) {
        if (!alternates(path)) continue;
        if (this.options.format === 'oasst') this.rows(path, line, out);
        else this.emit(line, promptRecord(path), out);
      }
      return;
    }
    if (this.options.mode === 'dpo') {
      for (const pair of preferencePairs(root, this.options.pairs)) {
        if (pair.chosen.text === pair.rejected.text) {
          this.counts.identical_pairs_skipped++;
          continue;
        }
        if (this.options.format === 'oasst') this.rows([...pair.prompt, pair.chosen, pair.rejected], line, out);
        else this.emit(line, this.options.format === 'sharegpt' ? sharegptPairRecord(pair) : dpoRecord(pair, this.options.flat), out);
      }
      return;
    }
    const paths = this.options.bestPath ? [bestPath(root)].filter((p): p is Path => p !== null) : sftPaths(root);
    for (const path of paths) {
      if (this.options.topK != null && !withinTopK(path, this.options.topK)) {
        this.counts.outside_top_k++;
        continue;
      }
      if (!alternates(path)) {
        out.push(this.error(path[path.length - 1]!.line, `conversation ending at ${path[path.length - 1]!.id} does not alternate user/assistant`, sftRecord(path)));
        continue;
      }
      if (this.options.format === 'oasst') this.rows(path, line, out);
      else this.emit(line, this.options.format === 'sharegpt' ? sharegptRecord(path) : sftRecord(path), out);
    }
  }

  /** Removes deleted and rejected messages with their subtrees; false when the root goes. */
  private prune(root: OasstMessage): boolean {
    const gone = (m: OasstMessage): boolean => {
      const synthetic = m.synthetic && !this.options.keepSynthetic;
      if (!m.deleted && m.reviewResult !== false && !synthetic) return false;
      const n = size(m);
      if (m.deleted) this.counts.pruned_deleted += n;
      else if (m.reviewResult === false) this.counts.pruned_review += n;
      else this.counts.pruned_synthetic += n;
      return true;
    };
    if (gone(root)) return false;
    // Breadth first over what is kept, with a queue rather than recursion (chains run thousands deep).
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const m = queue[i]!;
      m.children = m.children.filter((c) => !gone(c));
      queue.push(...m.children);
    }
    return true;
  }

  /** Writes each message once, however many conversations pass through it. */
  private rows(path: OasstMessage[], line: number, out: Item[]): void {
    for (const m of path) {
      if (this.rowsWritten.has(m.id)) continue;
      this.rowsWritten.add(m.id);
      this.emit(line, oasstRow(m), out);
    }
  }

  private emit(line: number, record: JsonObject, out: Item[]): void {
    this.counts.records_out++;
    if (this.side !== null) {
      record.split = this.side;
      if (this.side === 'train') this.counts.split_train++;
      else this.counts.split_validation++;
    }
    out.push({ seq: this.seq++, line, record, route: null });
  }

  private error(line: number, error: string, input: JsonObject | null): Item {
    this.counts.errors++;
    return { seq: this.seq++, line, record: input ?? {}, route: null, outcome: { kind: 'error', node: 'oasst', error } };
  }
}

/** A number in [0, 1) from a string, the same on every machine and run. */
function unitHash(text: string): number {
  hash64(text, hashOut);
  return hashOut[0]! / 2 ** 32;
}
const hashOut = new Uint32Array(2);

/** Messages in the subtree under `m`, itself included. */
function size(m: OasstMessage): number {
  let n = 0;
  const stack = [m];
  while (stack.length > 0) {
    n++;
    stack.push(...stack.pop()!.children);
  }
  return n;
}
