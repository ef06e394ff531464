// Sentences of bench:broker's section that state how noisy this run was: computed from the run's own rows,
// so the text never carries a number an earlier run measured (issue 22 item 3). Pure, so they are unit-tested.
import { median } from './report.ts';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** How far each server's max throughput moved between its own runs here: (max − min) / median, over the rows that ran twice or more. */
export function throughputSpread(rows: { name: string; runtime: string; rps: number[] }[]): string {
  const spreads = rows.filter((r) => r.rps.length >= 2).map((r) => ({ who: `${r.name}, ${r.runtime}`, runs: r.rps.length, spread: (Math.max(...r.rps) - Math.min(...r.rps)) / median(r.rps) }));
  if (spreads.length === 0) return 'Each server ran once, so this run does not show how much one server moves from run to run; compare rows measured together, not runs.';
  const widest = spreads.reduce((a, b) => (b.spread > a.spread ? b : a));
  const narrowest = spreads.reduce((a, b) => (b.spread < a.spread ? b : a));
  const runs = [...new Set(spreads.map((s) => s.runs))].join(' or ');
  return `In this run one server's max throughput moved across its ${runs} runs by ${pct(narrowest.spread)} to ${pct(widest.spread)} of its median ((max − min) / median; widest: ${widest.who}), so compare rows measured together, not runs.`;
}

/** How far one server's p99 at half rate moved between its paced runs on pace here: the widest max − min over the rows. */
export function p99Spread(rows: { name: string; runtime: string; p99s: number[] }[]): string {
  const ranges = rows.filter((r) => r.p99s.length >= 2).map((r) => ({ who: `${r.name}, ${r.runtime}`, range: Math.max(...r.p99s) - Math.min(...r.p99s) }));
  if (ranges.length === 0) return "no server had two paced runs on pace, so this run does not show how much one run's p99 moves from the next";
  const widest = ranges.reduce((a, b) => (b.range > a.range ? b : a));
  const narrowest = ranges.reduce((a, b) => (b.range < a.range ? b : a));
  return `in this run one server's p99 moved between its runs on pace by ${narrowest.range.toFixed(2)} to ${widest.range.toFixed(2)} ms (widest: ${widest.who})`;
}
