import { describe, expect, it } from 'vitest';
import { p99Spread, throughputSpread } from '../../build/bench/broker-text.ts';

// bench:broker's noise sentences come from the run's own rows (issue 22: no fixed "±15%" or "half a millisecond").
describe("bench:broker's noise sentences", () => {
  it("the throughput spread is each server's (max − min) / median across its runs, narrowest to widest, naming the widest", () => {
    const rows = [
      { name: 'no-op', runtime: 'official', rps: [100, 110, 90] }, // 20 / 100
      { name: 'record', runtime: 'static', rps: [50, 65, 60] }, // 15 / 60
      { name: 'record', runtime: 'missing', rps: [] },
    ];
    expect(throughputSpread(rows)).toBe("In this run one server's max throughput moved across its 3 runs by 20% to 25% of its median ((max − min) / median; widest: record, static), so compare rows measured together, not runs.");
    expect(throughputSpread([{ name: 'a', runtime: 'b', rps: [5] }])).toMatch(/^Each server ran once, so this run does not show/);
  });

  it("the p99 spread is the range of one server's p99s on pace, over the rows with two or more", () => {
    const rows = [
      { name: 'no-op', runtime: 'official', p99s: [1.2, 1.5, 1.3] },
      { name: 'record', runtime: 'official', p99s: [1.4, 2.25] },
      { name: 'record', runtime: 'static', p99s: [1.9] },
    ];
    expect(p99Spread(rows)).toBe("in this run one server's p99 moved between its runs on pace by 0.30 to 0.85 ms (widest: record, official)");
    expect(p99Spread([{ name: 'a', runtime: 'b', p99s: [] }])).toMatch(/^no server had two paced runs on pace/);
  });
});
