import { formatBytes, parseSize } from '../byte-size.ts';
import { badValue, type OptionRef } from './usage-error.ts';

/** A byte size as people write it (1MiB, 512k, 1048576) within min..max bytes. */
export function size(text: string, at: OptionRef, range: { min: number; max: number }): number;
export function size(text: string | undefined, at: OptionRef, range: { min: number; max: number }): number | undefined;
export function size(text: string | undefined, at: OptionRef, { min, max }: { min: number; max: number }): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text);
  if (n === null || n < min || n > max) throw badValue(at, text, `a size from ${formatBytes(min)} to ${formatBytes(max)} (e.g. 1MiB, 512k)`);
  return n;
}
