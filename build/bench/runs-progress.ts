/*
 * A bench's interleaved runs take minutes, and a table's rounds said nothing until they were all done. This logs a
 * line every 15 s while they go on: how many runs are done and about how long the rest take at the pace so far.
 * Lines, not a redrawn one: bench output is read as a log, often from a file.
 */
import { formatDuration } from '../../src/progress.ts';

export const PROGRESS_EVERY_MS = 15_000;

/** "  12 of 40 runs (30%), about 1 min 5 s left". */
export function runsProgressText(done: number, total: number, elapsedMs: number): string {
  const left = done > 0 && done < total ? `, about ${formatDuration(((total - done) * elapsedMs) / done / 1000)} left` : '';
  return `  ${done} of ${total} runs (${Math.floor((done / total) * 100)}%)${left}`;
}

export class RunsProgress {
  private done = 0;
  private readonly started: number;
  private nextAt: number;

  constructor(
    private readonly total: number,
    private readonly log: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.nextAt = this.started + PROGRESS_EVERY_MS;
  }

  /** One run is done: a line when one is due (never for the last run, which the bench's next line follows). */
  tick(): void {
    this.done++;
    const t = this.now();
    if (t < this.nextAt || this.done >= this.total) return;
    this.nextAt = t + PROGRESS_EVERY_MS;
    this.log(runsProgressText(this.done, this.total, t - this.started));
  }
}
