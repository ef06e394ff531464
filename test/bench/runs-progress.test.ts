// bench:startup's rounds say how far they are every 15 s, with what is left at the pace so far.
import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_MS, RunsProgress, runsProgressText } from '../../build/bench/runs-progress.ts';

describe('bench runs progress', () => {
  it('says how many runs are done and how long the rest take at the pace so far', () => {
    expect(runsProgressText(12, 40, 30_000)).toBe('  12 of 40 runs (30%), about 1 min 10 s left');
    expect(runsProgressText(1, 3, 500)).toBe('  1 of 3 runs (33%), about 1 s left');
    expect(runsProgressText(0, 3, 500)).toBe('  0 of 3 runs (0%)');
  });

  it('logs a line once every 15 s of runs, none before, none for the last run', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new RunsProgress(
      10,
      (l) => lines.push(l),
      () => t,
    );
    // A run every 4 s: due after runs 4 (16 s), 8 (32 s); run 10 (40 s) is the last.
    for (let i = 0; i < 10; i++) {
      t += 4000;
      p.tick();
    }
    expect(PROGRESS_EVERY_MS).toBe(15_000);
    expect(lines).toEqual(['  4 of 10 runs (40%), about 24 s left', '  8 of 10 runs (80%), about 8 s left']);
  });

  it('a short table logs nothing', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new RunsProgress(
      5,
      (l) => lines.push(l),
      () => t,
    );
    for (let i = 0; i < 5; i++) {
      t += 1000;
      p.tick();
    }
    expect(lines).toEqual([]);
  });
});
