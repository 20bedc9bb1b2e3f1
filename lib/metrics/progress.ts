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
 * A throttled progress display on stderr, drawn by cli-progress: on a terminal one line
 * redrawn in place (with a bar and ETA when the input file's size is known), elsewhere
 * (with --progress) a line every second. Never touches stdout.
 */
export class ProgressLine {
  private bar: import('cli-progress').SingleBar | null = null;

  constructor(
    private readonly stats: RunStats,
    private readonly out: Writable & { isTTY?: boolean },
    private readonly sources: ProgressSources = {},
    private readonly intervalMs = 250,
  ) {}

  async start(): Promise<void> {
    const { SingleBar } = (await import('cli-progress')).default ?? (await import('cli-progress'));
    const sized = this.sources.inputBytes !== undefined && this.sources.inputBytes > 0;
    this.bar = new SingleBar({
      stream: this.out as NodeJS.WritableStream,
      format: sized ? '{bar} {percentage}% ETA {eta_formatted} | {status}' : '{status}',
      barsize: 20,
      fps: 1000 / this.intervalMs,
      noTTYOutput: true,
      notTTYSchedule: Math.max(this.intervalMs, 1000),
      hideCursor: false,
      linewrap: false,
      etaBuffer: 50,
    });
    this.bar.start(sized ? this.sources.inputBytes! : 1, 0, { status: this.render() });
    // Redraw from a timer of our own as well: cli-progress redraws only on update().
    this.timer = setInterval(() => this.update(), this.intervalMs);
    this.timer.unref();
  }

  private timer: NodeJS.Timeout | null = null;

  stop(): void {
    if (!this.bar) return;
    if (this.timer) clearInterval(this.timer);
    this.update();
    this.bar.stop();
    this.bar = null;
  }

  private update(): void {
    const total = this.sources.inputBytes;
    this.bar?.update(total ? Math.min(this.stats.bytesIn, total) : 0, { status: this.render() });
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
    return line;
  }
}
