import { describe, expect, it } from 'vitest';
import { levelVerdict, medianBounds, ratioVerdict } from '../../build/bench/verdict.ts';

describe('allocator target verdicts', () => {
  it('a noisy run is still conclusive when every pairing of repetitions is on one side of the target', () => {
    // Session 3's run: musl 2237–2791 ms vs jemalloc 1313–1481 ms at 8 threads; the target is 10×.
    expect(ratioVerdict([2450, 2237, 2791], [1332, 1313, 1481], 'at least', 10)).toBe('NOT met');
    expect(ratioVerdict([2450, 2237, 2791], [1332, 1313, 1481], 'at least', 1.4)).toBe('met');
    expect(ratioVerdict([90, 60, 99], [100, 120, 101], 'at most', 1)).toBe('met');
  });

  it('says inconclusive only when noise straddles the target', () => {
    // Single thread, jemalloc 184–210 ms vs glibc 171–226 ms: ratios 0.81–1.23 around 1.05.
    expect(ratioVerdict([192, 184, 210], [208, 171, 226], 'at most', 1.05)).toMatch(/^inconclusive: the repetitions' ratios span 0\.81–1\.23×/);
  });

  it('quiet repetitions decide by the median ratio', () => {
    expect(ratioVerdict([100, 101, 99], [98, 99, 100], 'at most', 1.02)).toBe("met by the median, within the runs' noise (their ratios span 0.99–1.03×)");
    // Session 3's final 8-thread row: jemalloc 1794–1985 ms vs glibc 1766–1902 ms, target 1.0×.
    expect(ratioVerdict([1905, 1794, 1985], [1843, 1766, 1902], 'at most', 1)).toMatch(/^NOT met by the median, within the runs' noise \(their ratios span 0\.94–1\.12×\)$/);
    expect(ratioVerdict([], [1], 'at most', 1)).toBe('not measured');
  });
});

describe('levelVerdict', () => {
  it('decides repeated p99s against a fixed target the same way', () => {
    expect(levelVerdict([1.8, 1.9, 1.62], 'at most', 2)).toBe('met');
    expect(levelVerdict([2.1, 2.6, 3.0], 'at most', 2)).toBe('NOT met');
    expect(levelVerdict([1.87, 2.35, 2.23], 'at most', 2)).toBe("inconclusive: the repetitions' values span 1.87–2.35 ms around the target, spread 22% of their median (a busy machine); re-run on a quiet one");
    expect(levelVerdict([1.95, 2.05, 1.98], 'at most', 2)).toBe("met by the median, within the runs' noise (their values span 1.95–2.05 ms)");
    expect(levelVerdict([], 'at most', 2)).toBe('not measured');
  });
});

describe('medianBounds', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => n - i); // n … 1, unsorted on purpose
  it('is the range up to 8 repetitions: fewer cannot hold the median with 95% confidence any tighter', () => {
    expect(medianBounds(ranks(3))).toEqual({ low: 1, high: 3, dropped: 0 });
    expect(medianBounds(ranks(5))).toEqual({ low: 1, high: 5, dropped: 0 });
    // x(2)..x(7) of 8 hold the median with 1 − 2·9/256 = 93%: not enough.
    expect(medianBounds(ranks(8))).toEqual({ low: 1, high: 8, dropped: 0 });
  });

  it('leaves the outermost repetitions out once there are enough (9: 96%; 12: x(3)..x(10), 96%)', () => {
    expect(medianBounds(ranks(9))).toEqual({ low: 2, high: 8, dropped: 1 });
    expect(medianBounds(ranks(11))).toEqual({ low: 2, high: 10, dropped: 1 });
    expect(medianBounds(ranks(12))).toEqual({ low: 3, high: 10, dropped: 2 });
  });

  it('so one stray round among 9 no longer makes a verdict inconclusive, while among 5 it still does', () => {
    const den = [100, 101, 99, 100, 102, 98, 100, 101, 99];
    const num = [85, 86, 84, 85, 87, 60, 85, 86, 84]; // one round at 0.6×, the machine busy for a moment
    expect(ratioVerdict(num, den, 'at least', 0.8)).toBe('met');
    expect(ratioVerdict(num.slice(3, 8), den.slice(3, 8), 'at least', 0.8)).toMatch(/^inconclusive: the repetitions' ratios span 0\.59–0\.89×/);
    expect(levelVerdict([1.5, 1.6, 1.4, 1.5, 3.2, 1.6, 1.7, 1.3, 1.5], 'at most', 2)).toBe('met');
  });

  it('names what it left out when the bounds straddle the target', () => {
    expect(levelVerdict([1.85, 1.9, 2.1, 2.15, 1.7, 2.0, 1.95, 2.05, 3], 'at most', 2)).toBe(
      "met by the median, within the runs' noise (their values span 1.85–2.15 ms, the median's 95% bounds with the 1 highest and 1 lowest repetitions left out)",
    );
  });
});
