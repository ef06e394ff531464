// bench:startup's pure parts: the order of its paired runs, its rows and its target lines.
import { describe, expect, it } from 'vitest';
import { interleave, type Measured, ratioLine, timeRows } from '../../build/bench/startup-text.ts';

describe('interleave', () => {
  it('runs every variant once a round and moves the first one along', () => {
    expect(interleave(3, 3)).toEqual([0, 1, 2, 1, 2, 0, 2, 0, 1]);
    expect(interleave(1, 2)).toEqual([0, 0]);
    expect(interleave(0, 5)).toEqual([]);
  });

  it('gives each variant the same number of runs and each position in the round to each variant alike', () => {
    const order = interleave(4, 8);
    for (let v = 0; v < 4; v++) {
      expect(order.filter((x) => x === v)).toHaveLength(8);
      const positions = order.flatMap((x, i) => (x === v ? [i % 4] : []));
      for (let p = 0; p < 4; p++) expect(positions.filter((x) => x === p)).toHaveLength(2);
    }
  });
});

const variants: Measured[] = [
  { name: 'a', ms: [10, 12, 11] },
  { name: 'b', ms: [20, 24, 22] },
  { name: 'c', skipped: 'no static runtime is cached' },
];

describe('timeRows', () => {
  it('gives median, bounds and the ratio to the reference; a skipped row says why', () => {
    expect(timeRows(variants, 'a')).toEqual([
      ['a', '11.0', '10.0–12.0', '—', ''],
      ['b', '22.0', '20.0–24.0', '2.00×', ''],
      ['c', '—', '—', '—', 'not measured: no static runtime is cached'],
    ]);
  });

  it('leaves the ratio out when the reference was not measured', () => {
    expect(timeRows(variants, 'c')[0]?.[3]).toBe('—');
  });
});

describe('ratioLine', () => {
  it('judges the ratio of medians with verdict.ts', () => {
    expect(ratioLine('a ≤ 0.6× b', variants, 'a', 'b', 'at most', 0.6)).toBe('- a ≤ 0.6× b: 0.50× — **met**');
    expect(ratioLine('b ≤ 0.6× a', variants, 'b', 'a', 'at most', 0.6)).toBe('- b ≤ 0.6× a: 2.00× — **NOT met**');
  });

  it('names the side that is missing instead of judging', () => {
    expect(ratioLine('c ≤ 2× a', variants, 'c', 'a', 'at most', 2)).toBe('- c ≤ 2× a: **not judged** — c: no static runtime is cached');
    expect(ratioLine('a ≤ 2× d', variants, 'a', 'd', 'at most', 2)).toBe('- a ≤ 2× d: **not judged** — d: not in this run');
  });
});
