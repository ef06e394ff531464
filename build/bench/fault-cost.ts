// What a page fault costs on this machine now. A start-up touches thousands of fresh pages (`node -e 0` ~2,500), so
// this decides much of what a start-up bench reads: on the 2-core VMs these benches run on it was 1.3 µs one hour and
// 12–18 µs the next (a guest whose every fault traps to its hypervisor; docs/benchmarks.md, "Page faults"), which
// inflates every start and squeezes each ratio toward 1. The benches print it beside the load average.

import { readFileSync } from 'node:fs';

const PAGE = 4096;

export interface FaultCost {
  /** Median µs per fault of fresh anonymous memory, first touch minus a second touch of the same pages. */
  micros: number;
  /** Faults the kernel counted over all probes (each probe should fault every page once). */
  faults: number;
  probes: number;
  /** Pages each probe touched. */
  pages: number;
}

/** One probe: `pages` fresh pages touched twice; µs per counted fault, or null when the memory was not fresh. */
function probe(pages: number): { micros: number; faults: number } | null {
  // A fresh ArrayBuffer this large comes from mmap: zero pages the kernel has not mapped yet.
  const bytes = new Uint8Array(new ArrayBuffer(pages * PAGE));
  const before = process.resourceUsage().minorPageFault;
  let t = process.hrtime.bigint();
  for (let i = 0; i < bytes.length; i += PAGE) bytes[i] = 1;
  const first = Number(process.hrtime.bigint() - t);
  const faults = process.resourceUsage().minorPageFault - before;
  t = process.hrtime.bigint();
  for (let i = 0; i < bytes.length; i += PAGE) bytes[i] = 2;
  const again = Number(process.hrtime.bigint() - t);
  // An allocator that handed back pages it had touched before faults few of them: that probe says nothing.
  if (faults < pages / 2) return null;
  return { micros: Math.max(0, first - again) / faults / 1000, faults };
}

/** Probes `probes` × `pages` fresh pages (16 MiB each by default, ~20 ms on a quiet machine). */
export function faultCost(probes = 5, pages = 4096): FaultCost | null {
  const got: { micros: number; faults: number }[] = [];
  for (let i = 0; i < probes; i++) {
    const p = probe(pages);
    if (p) got.push(p);
  }
  if (got.length === 0) return null;
  const sorted = got.map((g) => g.micros).sort((a, b) => a - b);
  return { micros: sorted[sorted.length >> 1] as number, faults: got.reduce((n, g) => n + g.faults, 0), probes: got.length, pages };
}

/**
 * The minor page faults in a /proc/PID/stat line, all the process's threads: field 10, counted after the command name's
 * closing parenthesis (the name itself may hold spaces and parentheses).
 */
export function minorFaultsInStat(stat: string): number {
  const n = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  if (!Number.isInteger(n)) throw new Error(`no minor-fault count in /proc/PID/stat: ${stat.slice(0, 120)}`);
  return n;
}

/** The minor page faults of a running process so far (a count, not a time: the machine's load does not move it). */
export function minorFaultsOf(pid: number): number {
  return minorFaultsInStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** "1.3 µs a page fault (median of 5 probes of 4,096 fresh pages)", or why there is no figure. */
export function faultCostText(cost: FaultCost | null): string {
  if (!cost) return 'not measured (no probe got fresh pages)';
  return `${cost.micros.toFixed(1)} µs a page fault (median of ${cost.probes} probes of ${cost.pages.toLocaleString('en-US')} fresh pages)`;
}

/**
 * Above this many µs a fault, a start-up table measures the hypervisor more than the program (a quiet run of these VMs:
 * ~1.3 µs; a slow hour: 11–20): the benches leave their section as it is unless told to write it.
 */
export const SLOW_FAULT_MICROS = 4;

/** Env variable that makes a start-up bench write its section whatever the faults cost. */
export const WRITE_ANYWAY_ENV = 'BENCH_WRITE_SLOW';

/** Why a start-up bench should not write its section after a run with these fault costs, or null when it may. */
export function slowFaultsReason(costs: (FaultCost | null)[], env: NodeJS.ProcessEnv = process.env): string | null {
  if (env[WRITE_ANYWAY_ENV] === '1') return null;
  const slow = costs.filter((c): c is FaultCost => c !== null && c.micros > SLOW_FAULT_MICROS);
  if (slow.length === 0) return null;
  const worst = Math.max(...slow.map((c) => c.micros));
  return `a page fault cost up to ${worst.toFixed(1)} µs in this run (above ${SLOW_FAULT_MICROS} µs: every start pays it thousands of times and the ratios squeeze toward 1); ${WRITE_ANYWAY_ENV}=1 writes it anyway`;
}
