import { PhraseCounter } from '../text/phrase-counter.js';

/**
 * Line-level cleaning, as C4 and FineWeb clean web pages: lines that are boilerplate or
 * hold no words are dropped and the text is kept. Code blocks are never touched, and
 * Markdown structure (fences, table rows, horizontal rules between sections) stays.
 */

/** Why a line was dropped. */
export type CleanReason = 'boilerplate' | 'symbol_line';

export interface RemovedLine {
  /** The line's number in the text before cleaning, from 1. */
  line: number;
  reason: CleanReason;
  text: string;
}

export interface CleanedText {
  text: string;
  removed: RemovedLine[];
}

/** Letters or digits of any script: a line without one holds no words. */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;
// Markdown that is structure, not content: a table row or separator, a horizontal rule
// (---, ***, ___), a block quote marker alone.
const MARKDOWN_STRUCTURE = /^\s*(?:\|.*\||[-*_](?:\s*[-*_]){2,}|>)\s*$/;
// Code fences as the rules count them (backticks), so cleaning and measuring agree on what is code.
const FENCE = /^\s*```/;

export class LineCleaner {
  private readonly boilerplate: PhraseCounter;

  /** `boilerplate`: the phrases (lower case) that make a line boilerplate, matched whole. */
  constructor(boilerplate: readonly string[]) {
    this.boilerplate = new PhraseCounter([boilerplate], { whole: true });
  }

  clean(text: string): CleanedText {
    const lines = text.split('\n');
    const kept: string[] = [];
    const removed: RemovedLine[] = [];
    let inCode = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (FENCE.test(line)) {
        inCode = !inCode;
        kept.push(line);
        continue;
      }
      const reason = inCode ? null : this.reason(line);
      if (reason === null) kept.push(line);
      else removed.push({ line: i + 1, reason, text: line });
    }
    if (removed.length === 0) return { text, removed };
    return {
      text: kept
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
      removed,
    };
  }

  private reason(line: string): CleanReason | null {
    if (line.trim() === '' || MARKDOWN_STRUCTURE.test(line)) return null;
    if (!WORD_CHARACTER.test(line)) return 'symbol_line';
    if (this.boilerplate.counts(line)[0]! > 0) return 'boilerplate';
    return null;
  }
}
