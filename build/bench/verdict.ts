import { median } from './report.ts';

/** Repetitions spread by more than this share of their median say more about the machine than the thing measured. */
export const NOISY = 0.2;

const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);

/**
 * The shared rule: `value` (a median) against `target`, with [low, high] what the repetitions allow. Noise only
 * makes a verdict inconclusive when it could change it: if even the extremes sit on one side of the target, that
 * side is the answer however noisy the machine was; quiet runs that straddle it are decided by the median.
 */
function decide(value: number, low: number, high: number, worst: number, want: 'at most' | 'at least', target: number, noun: string, unit: string): string {
  const met = want === 'at most' ? value <= target : value >= target;
  const certain = want === 'at most' ? high <= target || low > target : low >= target || high < target;
  if (certain) return met ? 'met' : 'NOT met';
  const range = `${low.toFixed(2)}–${high.toFixed(2)}${unit}`;
  if (worst > NOISY) return `inconclusive: the repetitions' ${noun} span ${range} around the target, spread ${(worst * 100).toFixed(0)}% of their median (a busy machine); re-run on a quiet one`;
  return `${met ? 'met' : 'NOT met'} by the median, within the runs' noise (their ${noun} span ${range})`;
}

/**
 * Whether the ratio of two timed variants (median of `num` / median of `den`) is `at most` or `at least`
 * `target`; the extreme pairings of the repetitions (min/max, max/min) bound it.
 */
export function ratioVerdict(num: number[], den: number[], want: 'at most' | 'at least', target: number): string {
  if (!num.length || !den.length) return 'not measured';
  const low = Math.min(...num) / Math.max(...den);
  const high = Math.max(...num) / Math.min(...den);
  return decide(median(num) / median(den), low, high, Math.max(spread(num), spread(den)), want, target, 'ratios', '×');
}

/** Whether repeated measurements of one latency in ms (a p99, say) are `at most` or `at least` `target`. */
export function levelVerdict(xs: number[], want: 'at most' | 'at least', target: number): string {
  if (!xs.length) return 'not measured';
  return decide(median(xs), Math.min(...xs), Math.max(...xs), spread(xs), want, target, 'values', ' ms');
}
