// The page-fault probe bench:startup prints beside the load: it counts what it times.
import { describe, expect, it } from 'vitest';
import { faultCost, faultCostText, minorFaultsInStat, minorFaultsOf, SLOW_FAULT_MICROS, slowFaultsReason } from '../../build/bench/fault-cost.ts';

describe('bench fault cost', () => {
  it('times faults the kernel counted: each probe faults its fresh pages once', () => {
    const cost = faultCost(3, 1024);
    expect(cost).not.toBeNull();
    if (!cost) return;
    expect(cost.pages).toBe(1024);
    expect(cost.probes).toBeGreaterThanOrEqual(1);
    // Every page of every counted probe faulted (a few more for the probe's own stack and heap).
    expect(cost.faults).toBeGreaterThanOrEqual(cost.probes * 512);
    expect(cost.micros).toBeGreaterThan(0);
    expect(Number.isFinite(cost.micros)).toBe(true);
  });

  it('says the figure with how it was taken, or why there is none', () => {
    expect(faultCostText({ micros: 1.26, faults: 20480, probes: 5, pages: 4096 })).toBe('1.3 µs a page fault (median of 5 probes of 4,096 fresh pages)');
    expect(faultCostText(null)).toBe('not measured (no probe got fresh pages)');
  });

  it("a run whose faults cost more than a quiet machine's does not write its section, unless told to", () => {
    const cost = (micros: number) => ({ micros, faults: 20480, probes: 5, pages: 4096 });
    expect(slowFaultsReason([cost(1.3), cost(1.5)], {})).toBeNull();
    expect(slowFaultsReason([null, null], {})).toBeNull();
    const why = slowFaultsReason([cost(1.3), cost(15.5)], {});
    expect(why).toContain('up to 15.5 µs');
    expect(why).toContain(`above ${SLOW_FAULT_MICROS} µs`);
    expect(why).toContain('BENCH_WRITE_SLOW=1');
    expect(slowFaultsReason([cost(15.5)], { BENCH_WRITE_SLOW: '1' })).toBeNull();
  });

  it("reads a process's minor faults from /proc/PID/stat, whatever its command name holds", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt …
    expect(minorFaultsInStat('4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 3113 7 2 0 5 3 0 0 20 0 9 0')).toBe(3113);
    expect(() => minorFaultsInStat('4242 (cut')).toThrow(/no minor-fault count/);
    // This process's own count: at most what getrusage says just after, and it grows by the pages a probe faults in.
    const before = minorFaultsOf(process.pid);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThanOrEqual(process.resourceUsage().minorPageFault);
    expect(faultCost(1, 1024)).not.toBeNull();
    expect(minorFaultsOf(process.pid) - before).toBeGreaterThanOrEqual(512);
  });
});
