// The pure parts of bench:startup (build/bench/startup.ts): the order of its paired runs, its rows and its
// verdict lines, apart from the processes so that test/bench/startup-text.test.ts can check them.
import { median } from './report.ts';
import { medianBounds, ratioVerdict } from './verdict.ts';

/**
 * The order of `runs` rounds over `n` variants, as variant indices: every round runs each variant once, and
 * the round's first variant moves by one each round (0 1 2, 1 2 0, 2 0 1, …), so no variant always runs
 * right after a given other one or first after a pause; load drift spreads over every variant alike.
 */
export function interleave(n: number, runs: number): number[] {
  const order: number[] = [];
  for (let r = 0; r < runs; r++) for (let i = 0; i < n; i++) order.push((r + i) % n);
  return order;
}

/** A measured variant (ms per run) or one left out, with the reason its row says. */
export type Measured = { name: string; ms: number[] } | { name: string; skipped: string };

const fmt = (x: number, digits = 1) => x.toFixed(digits);

/**
 * Table rows: name, median, the median's 95% bounds, and the ratio of medians to `reference` (a variant's
 * name; '—' for itself or when it was not measured). A skipped variant's row says why instead.
 */
export function timeRows(variants: Measured[], reference: string): string[][] {
  const ref = variants.find((v) => v.name === reference);
  const refMedian = ref && 'ms' in ref && ref.ms.length ? median(ref.ms) : undefined;
  return variants.map((v) => {
    if (!('ms' in v)) return [v.name, '—', '—', '—', `not measured: ${v.skipped}`];
    const m = median(v.ms);
    const b = medianBounds(v.ms);
    const ratio = refMedian === undefined || v.name === reference ? '—' : `${fmt(m / refMedian, 2)}×`;
    return [v.name, fmt(m), `${fmt(b.low)}–${fmt(b.high)}`, ratio, ''];
  });
}

/** The runs of a variant by name, or undefined when it was skipped or is not in the list. */
export function runsOf(variants: Measured[], name: string): number[] | undefined {
  const v = variants.find((x) => x.name === name);
  return v && 'ms' in v && v.ms.length ? v.ms : undefined;
}

/**
 * One target line: `- label: 0.42× — **verdict**`, judged by verdict.ts on the ratio of the two variants'
 * medians; when either side is missing, the line says which and why nothing was judged.
 */
export function ratioLine(label: string, variants: Measured[], num: string, den: string, want: 'at most' | 'at least', target: number): string {
  const missing = [num, den].map((name) => variants.find((v) => v.name === name) ?? { name, skipped: 'not in this run' }).find((v) => !('ms' in v) || !v.ms.length);
  if (missing) return `- ${label}: **not judged** — ${missing.name}: ${'skipped' in missing ? missing.skipped : 'no runs'}`;
  const [a, b] = [runsOf(variants, num) as number[], runsOf(variants, den) as number[]];
  return `- ${label}: ${fmt(median(a) / median(b), 2)}× — **${ratioVerdict(a, b, want, target)}**`;
}
