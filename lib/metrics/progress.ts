import type { Writable } from 'node:stream';
import type { RunStats } from './run-stats.js';

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
    return `in ${s.recordsIn}  out ${s.recordsOut}  filtered ${s.filtered}  errors ${s.errors}  ${rate} rec/s  ${seconds.toFixed(1)}s`;
  }

  private draw(): void {
    this.out.write(this.tty ? `\r\x1b[2K${this.render()}` : `${this.render()}\n`);
  }
}
