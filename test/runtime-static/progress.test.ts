import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, ProgressTracker, parseStep } from '../../build/runtime/static/progress.ts';

describe('parseStep', () => {
  it('reads ninja status lines and ignores compiler noise', () => {
    expect(parseStep('[12/1847] CXX obj/src/libnode.node_url.o')).toEqual({ done: 12, total: 1847, description: 'CXX obj/src/libnode.node_url.o' });
    expect(parseStep('../../src/node.cc:12:3: warning: unused [-Wunused]')).toBeUndefined();
    expect(parseStep('  [3] not a step')).toBeUndefined();
  });
});

describe('ProgressTracker', () => {
  it('handles lines split across chunks and estimates from recent speed', () => {
    let now = 0;
    const t = new ProgressTracker(3, () => now);
    expect(t.feed('[1/101] CXX a.o\n[2/1')).toBe(true);
    expect(t.progress?.done).toBe(1);
    expect(t.progress?.etaSeconds).toBeUndefined();
    now = 10_000;
    t.feed('01] CXX b.o\n');
    expect(t.progress).toMatchObject({ done: 2, total: 101, secondsPerStep: 10, etaSeconds: 990 });
  });

  it('forgets old speed: a burst of cache hits does not make the ETA optimistic forever', () => {
    let now = 0;
    const t = new ProgressTracker(2, () => now);
    for (let i = 1; i <= 50; i++) {
      now += 10; // Zig cache hits: 10 ms a step
      t.feed(`[${i}/150] CXX hit${i}.o\n`);
    }
    now += 30_000;
    t.feed('[51/150] CXX slow.o\n');
    // The window holds steps 50 and 51 only: 30 s a step, 99 steps left.
    expect(t.progress?.etaSeconds).toBe(2970);
  });
});

describe('formatting', () => {
  it('prints done/total, percent and ETA', () => {
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h05m');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatProgress({ done: 50, total: 200, etaSeconds: 600, last: 'CXX x.o', updatedAt: '' })).toBe('50/200 (25.0%) ETA 10m00s — CXX x.o');
  });
});
