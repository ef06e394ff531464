import { median } from './report.ts';

/** Median bounds (medianBounds) wider than this share of the median say more about the machine than the thing measured. */
export const NOISY = 0.2;

/** Confidence that the median lies between the bounds medianBounds() picks. */
export const CONFIDENCE = 0.95;

/** Where the median lies with CONFIDENCE, and how many repetitions were left out at each end to say so. */
export interface MedianBounds {
  low: number;
  high: number;
  dropped: number;
}

/**
 * The order statistics x(k) ≤ x(n+1−k) that hold the true median with at least CONFIDENCE, distribution-free:
 * each repetition falls below the median with probability ½, so the coverage is 1 − 2·P(Binomial(n, ½) < k).
 * Never narrower than the extremes' (k = 1, which up to 8 repetitions is all there is: the bounds are the
 * range, as this rule always had); from 9 repetitions on the outermost drop out, so more repetitions narrow the
 * bounds instead of widening a range. Returns the bounds and how many were dropped at each end.
 */
export function medianBounds(xs: number[]): MedianBounds {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let below = 0; // P(Binomial(n, ½) < k), summed as k grows
  let term = 2 ** -n; // P(Binomial(n, ½) = k − 1)
  let k = 1;
  for (let next = 2; next <= Math.floor(n / 2); next++) {
    below += term;
    term = (term * (n - next + 2)) / (next - 1);
    if (1 - 2 * (below + term) < CONFIDENCE) break;
    k = next;
  }
  return { low: s[k - 1] as number, high: s[n - k] as number, dropped: k - 1 };
}

/** How wide the bounds are, as a share of the median they bound. */
const spread = (b: MedianBounds, m: number) => (b.high - b.low) / m;

/**
 * The shared rule: `value` (a median) against `target`, with [low, high] what the repetitions allow (the median's
 * bounds: the extremes, up to 8 repetitions). Noise only makes a verdict inconclusive when it could change it: if
 * the bounds sit on one side of the target, that side is the answer however noisy the machine was; quiet runs that
 * straddle it are decided by the median.
 */
function decide(value: number, low: number, high: number, worst: number, want: 'at most' | 'at least', target: number, noun: string, unit: string, dropped: string): string {
  const met = want === 'at most' ? value <= target : value >= target;
  const certain = want === 'at most' ? high <= target || low > target : low >= target || high < target;
  if (certain) return met ? 'met' : 'NOT met';
  const range = `${low.toFixed(2)}–${high.toFixed(2)}${unit}`;
  if (worst > NOISY) return `inconclusive: the repetitions' ${noun} span ${range} around the target${dropped}, spread ${(worst * 100).toFixed(0)}% of their median (a busy machine); re-run on a quiet one`;
  return `${met ? 'met' : 'NOT met'} by the median, within the runs' noise (their ${noun} span ${range}${dropped})`;
}

/** Said after a span that leaves repetitions out (none are left out below 9 repetitions). */
const droppedNote = (...dropped: number[]) => {
  const d = Math.max(...dropped);
  return d > 0 ? `, the median's ${CONFIDENCE * 100}% bounds with the ${d} highest and ${d} lowest repetitions left out` : '';
};

/**
 * Whether the ratio of two timed variants (median of `num` / median of `den`) is `at most` or `at least`
 * `target`; the opposite pairings of each side's median bounds (low/high, high/low) bound it.
 */
export function ratioVerdict(num: number[], den: number[], want: 'at most' | 'at least', target: number): string {
  if (!num.length || !den.length) return 'not measured';
  const [n, d] = [medianBounds(num), medianBounds(den)];
  const [mn, md] = [median(num), median(den)];
  return decide(mn / md, n.low / d.high, n.high / d.low, Math.max(spread(n, mn), spread(d, md)), want, target, 'ratios', '×', droppedNote(n.dropped, d.dropped));
}

/** Whether repeated measurements of one latency in ms (a p99, say) are `at most` or `at least` `target`. */
export function levelVerdict(xs: number[], want: 'at most' | 'at least', target: number): string {
  if (!xs.length) return 'not measured';
  const b = medianBounds(xs);
  const m = median(xs);
  return decide(m, b.low, b.high, spread(b, m), want, target, 'values', ' ms', droppedNote(b.dropped));
}
