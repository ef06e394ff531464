import { median } from './report.ts';

/** Repetitions spread by more than this share of their median say more about the machine than the thing measured. */
export const NOISY = 0.2;

const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);

/**
 * Whether the ratio of two timed variants (median of `num` / median of `den`) is `at most` or
 * `at least` `target`. Noise only makes a verdict inconclusive when it could change it: if even
 * the extreme pairings of the repetitions (min/max, max/min) sit on one side of the target, that
 * side is the answer however noisy the machine was.
 */
export function ratioVerdict(num: number[], den: number[], want: 'at most' | 'at least', target: number): string {
  if (!num.length || !den.length) return 'not measured';
  const ratio = median(num) / median(den);
  const low = Math.min(...num) / Math.max(...den);
  const high = Math.max(...num) / Math.min(...den);
  const met = want === 'at most' ? ratio <= target : ratio >= target;
  const certain = want === 'at most' ? high <= target || low > target : low >= target || high < target;
  if (certain) return met ? 'met' : 'NOT met';
  const worst = Math.max(spread(num), spread(den));
  if (worst > NOISY) {
    return `inconclusive: the repetitions' ratios span ${low.toFixed(2)}–${high.toFixed(2)}× around the target, spread ${(worst * 100).toFixed(0)}% of their median (a busy machine); re-run on a quiet one`;
  }
  // Quiet runs whose extremes still straddle the target: the median decides, and says how close it is.
  return `${met ? 'met' : 'NOT met'} by the median, within the runs' noise (their ratios span ${low.toFixed(2)}–${high.toFixed(2)}×)`;
}
