import type { Writable } from 'node:stream';
import type { RunStats } from './run-stats.js';

/** What the LLM side adds to the line, read at each redraw. */
export interface LlmProgress {
  inFlight: number;
  requests: number;
  /** Cache hits (memory, disk, Redis, coalesced) and lookups. */
  cacheHits: number;
  cacheLookups: number;
  tokens: number;
  /** US dollars, or null when no model has a price. */
  cost: number | null;
}

export interface ProgressSources {
  llm?: () => LlmProgress | null;
  /** Size of the input file, for an ETA; absent for stdin. */
  inputBytes?: number;
}

/**
 * A throttled one-line progress display on stderr. Never touches stdout. On a TTY the
 * line is redrawn in place; elsewhere (with --progress) a line is written each interval.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly stats: RunStats,
    private readonly out: Writable & { isTTY?: boolean },
    private readonly sources: ProgressSources = {},
    private readonly intervalMs = 250,
  ) {
    this.tty = out.isTTY === true;
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), this.tty ? this.intervalMs : Math.max(this.intervalMs, 1000));
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.draw();
    if (this.tty) this.out.write('\n');
  }

  render(): string {
    const s = this.stats;
    const seconds = s.elapsedMs() / 1000;
    const rate = seconds > 0 ? Math.round(s.recordsIn / seconds) : 0;
    let line = `in ${s.recordsIn}  out ${s.recordsOut}  filtered ${s.filtered}  errors ${s.errors}  ${rate} rec/s`;
    const llm = this.sources.llm?.();
    if (llm && (llm.requests > 0 || llm.cacheLookups > 0)) {
      line += `  llm ${llm.inFlight} in flight, ${llm.requests} req`;
      if (llm.cacheLookups > 0) line += `, cache ${Math.round((100 * llm.cacheHits) / llm.cacheLookups)}%`;
      line += `, ${llm.tokens} tok`;
      if (llm.cost !== null) line += `, $${llm.cost.toFixed(llm.cost < 1 ? 4 : 2)}`;
    }
    line += `  ${seconds.toFixed(1)}s`;
    const total = this.sources.inputBytes;
    if (total && s.bytesIn > 0 && s.bytesIn < total && seconds > 0) {
      const eta = ((total - s.bytesIn) / s.bytesIn) * seconds;
      line += `  ETA ${formatDuration(eta)} (${Math.floor((100 * s.bytesIn) / total)}%)`;
    }
    return line;
  }

  private draw(): void {
    this.out.write(this.tty ? `\r\x1b[2K${this.render()}` : `${this.render()}\n`);
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
