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
    const t = new ProgressTracker({ window: 3 }, () => now);
    expect(t.feed('[1/101] CXX a.o\n[2/1')).toBe(true);
    expect(t.progress?.done).toBe(1);
    expect(t.progress?.etaSeconds).toBeUndefined();
    now = 10_000;
    t.feed('01] CXX b.o\n');
    expect(t.progress).toMatchObject({ done: 2, total: 101, secondsPerStep: 10, etaSeconds: 990 });
  });

  it('forgets old speed: a burst of cache hits does not make the ETA optimistic forever', () => {
    let now = 0;
    const t = new ProgressTracker({ window: 2, spanMs: 60_000 }, () => now);
    for (let i = 1; i <= 50; i++) {
      now += 10; // Zig cache hits: 10 ms a step
      t.feed(`[${i}/150] CXX hit${i}.o\n`);
    }
    now += 30_000;
    t.feed('[51/150] CXX slow.o\n');
    // Still within the span: the hits count, 0.6 s a step.
    expect(t.progress?.etaSeconds).toBe(Math.round((30.5 / 50) * 99));
    now += 40_000;
    t.feed('[52/150] CXX slow.o\n');
    // The span is past the hits: the window holds steps 51 and 52 only, 40 s a step, 98 steps left.
    expect(t.progress?.etaSeconds).toBe(3920);
  });

  it('keeps every step of the span, so a run of quick steps among slow ones does not swing the ETA', () => {
    let now = 0;
    const t = new ProgressTracker({ window: 3, spanMs: 600_000 }, () => now);
    // Ten slow steps (60 s each), then ten quick ones (1 s each), all within ten minutes and a bit.
    for (let i = 1; i <= 10; i++) {
      now += 60_000;
      t.feed(`[${i}/120] CXX v8_${i}.o\n`);
    }
    for (let i = 11; i <= 20; i++) {
      now += 1_000;
      t.feed(`[${i}/120] CXX gen_${i}.o\n`);
    }
    // The span (600 s back from 610 s) holds all twenty, 60 s to 610 s: 19 steps in 550 s; a 3-step window said 1 s.
    expect(t.progress?.secondsPerStep).toBeCloseTo(550 / 19, 6);
    now += 1_000;
    t.feed('[21/120] CXX gen_21.o\n');
    // Now 611 s: step 1 (60 s) is 551 s back, still in; the window would drop it only past 660 s.
    expect(t.progress?.secondsPerStep).toBeCloseTo(551 / 20, 6);
    now += 60_000;
    t.feed('[22/120] CXX v8_22.o\n');
    // 671 s: steps 1 (60 s) is out (611 s back), step 2 (120 s) in: 20 steps in 551 s.
    expect(t.progress?.secondsPerStep).toBeCloseTo(551 / 20, 6);
  });
});

describe('formatting', () => {
  it('prints done/total, percent and ETA', () => {
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h05m');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatProgress({ done: 50, total: 200, etaSeconds: 600, last: 'CXX x.o', updatedAt: '' })).toBe('50/200 (25.0%) ETA 10m00s — CXX x.o');
  });
});
