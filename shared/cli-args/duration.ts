import { badValue, type OptionRef } from './usage-error.ts';

const MS_PER: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface DurationRange {
  /** The unit a bare number is in: `--flush-ms 100` is milliseconds, matrix `--timeout 30` seconds. */
  unit: 'ms' | 's';
  /** Bounds, in unit. */
  min: number;
  max: number;
  /** What 0 means, when it is taken besides min..max (record --request-timeout: no limit). */
  zero?: string;
}

/**
 * A duration: a bare number in the option's unit, or a number with ms, s, m or h; returned in the
 * option's unit. In milliseconds it must be whole.
 */
export function duration(text: string, at: OptionRef, range: DurationRange): number;
export function duration(text: string | undefined, at: OptionRef, range: DurationRange): number | undefined;
export function duration(text: string | undefined, at: OptionRef, { unit, min, max, zero }: DurationRange): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d*\.?\d+)(ms|s|m|h)?$/.exec(text);
  const ms = m ? Number(m[1]) * (MS_PER[m[2] ?? unit] as number) : Number.NaN;
  const value = unit === 'ms' ? ms : ms / 1000;
  if (zero !== undefined && ms === 0) return 0;
  if (!(Number.isInteger(ms) && value >= min && value <= max)) {
    const bare = unit === 'ms' ? '100' : '30';
    throw badValue(
      at,
      text,
      `a duration from ${show(min, unit)} to ${show(max, unit)} (a number of ${unit === 'ms' ? 'milliseconds' : 'seconds'}, or with ms, s, m or h: ${bare}, 2s, 1m)${zero === undefined ? '' : `, or 0 for ${zero}`}`,
    );
  }
  return value;
}

function show(n: number, unit: 'ms' | 's'): string {
  const ms = unit === 'ms' ? n : n * 1000;
  if (ms < 1000) return `${ms} ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms >= 600_000) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
