/*
 * A progress line for work that can run long: a scan of large archives (stats, verify, cat), a replay. It goes to
 * stderr and only to a terminal; it is first drawn two seconds in, so a short run prints nothing; it is redrawn at
 * most once a second and erased when the work ends, so what the command prints after it reads as without it.
 * A pipe, a file and --json output never see it. The work reports how far it is with tick(): a scan after each chunk
 * it reads (a time check, nothing more, until a draw is due), a replay from a timer.
 */
import { formatBytes } from '../shared/byte-size.ts';
import { monotonicMs } from './clock.ts';

/** Where the line goes and whether anyone sees it there (main.ts: stderr, when it is a terminal). */
export interface ProgressSink {
  /**
   * Asked once, when the first draw is due: whether stderr is a terminal, and with `streaming` (the command writes
   * its output as it goes, as cat does) that stdout is not one too, where the line would cut into the output.
   */
  visible(streaming: boolean): boolean;
  write(text: string): void;
  /** The clock, in ms (default src/clock.ts monotonicMs; a test's moves as it likes). */
  now?(): number;
}

export interface ProgressOptions {
  /** What the line starts with: "broker stats". */
  label: string;
  /** Bytes the work will have read when done (all its files; a replay's times its loops). */
  total: number;
  /** Bytes read so far. */
  done: () => number;
  /** The command writes its output while it works (cat): no line when stdout is a terminal too. */
  streaming?: boolean;
}

export const FIRST_DRAW_MS = 2000;
export const REDRAW_MS = 1000;

/** "7 s", "3 min 5 s", "1 h 12 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The line for `done` of `total` bytes after `elapsedMs`: how far, how fast, how long still at that rate. */
export function progressText(o: { label: string; total: number; done: number; elapsedMs: number }): string {
  const done = Math.min(o.done, o.total);
  const rate = o.elapsedMs > 0 ? done / (o.elapsedMs / 1000) : 0;
  const percent = o.total > 0 ? Math.floor((done / o.total) * 100) : 100;
  const left = rate > 0 ? `, about ${formatDuration((o.total - done) / rate)} left` : '';
  return `${o.label}: ${formatBytes(done)} of ${formatBytes(o.total)} (${percent}%), ${formatBytes(Math.round(rate))}/s${left}`;
}

export class Progress {
  private readonly started: number;
  private nextAt: number;
  private shown: boolean | undefined;
  private drawn = false;

  private readonly now: () => number;

  constructor(
    private readonly options: ProgressOptions,
    private readonly sink: ProgressSink,
  ) {
    this.now = sink.now?.bind(sink) ?? monotonicMs;
    this.started = this.now();
    this.nextAt = this.started + FIRST_DRAW_MS;
  }

  /** Redraws the line if one is due. */
  tick(): void {
    const t = this.now();
    if (t < this.nextAt) return;
    this.nextAt = t + REDRAW_MS;
    this.shown ??= this.sink.visible(this.options.streaming === true);
    if (!this.shown) return;
    const { label, total, done } = this.options;
    // \r back to the line's start, \x1b[K erases what a longer line before left.
    this.sink.write(`\r${progressText({ label, total, done: done(), elapsedMs: t - this.started })}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the line, if it is drawn, for a line of output; the next tick that is due draws it again. */
  clear(): void {
    if (this.drawn) this.sink.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The work is done: erases the line and draws no more. */
  end(): void {
    this.clear();
    this.nextAt = Number.POSITIVE_INFINITY;
  }
}
