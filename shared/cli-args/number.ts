import { badValue, type OptionRef } from './usage-error.ts';

export interface IntRange {
  min: number;
  max: number;
}

/** A whole number, written in decimal digits, within min..max. */
export function int(text: string, at: OptionRef, range: IntRange): number;
export function int(text: string | undefined, at: OptionRef, range: IntRange): number | undefined;
export function int(text: string | undefined, at: OptionRef, { min, max }: IntRange): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw badValue(at, text, `an integer from ${min} to ${max}`);
  return n;
}

export interface NumberRange {
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound: `above: 0` is "a positive number". */
  above?: number;
  /** A unit the value may be written with and that is dropped, e.g. "/s" in "500/s". */
  unit?: string;
  /** What the number counts, said in the error: "requests per second". */
  of?: string;
  /** An example for the error, e.g. "500/s". */
  example?: string;
}

/** A decimal number (no exponent, no sign) within the range. */
export function number(text: string, at: OptionRef, range: NumberRange): number;
export function number(text: string | undefined, at: OptionRef, range: NumberRange): number | undefined;
export function number(text: string | undefined, at: OptionRef, r: NumberRange): number | undefined {
  if (text === undefined) return undefined;
  const digits = r.unit && text.endsWith(r.unit) ? text.slice(0, -r.unit.length) : text;
  const n = Number(digits);
  const ok = /^\d*\.?\d+$/.test(digits) && (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max) && (r.above === undefined || n > r.above);
  if (!ok) throw badValue(at, text, describe(r));
  return n;
}

function describe(r: NumberRange): string {
  const bounds =
    r.above === 0 && r.max === undefined
      ? 'a positive number'
      : r.min !== undefined && r.max !== undefined
        ? `a number from ${r.min} to ${r.max}`
        : r.above !== undefined
          ? `a number above ${r.above}${r.max === undefined ? '' : ` up to ${r.max}`}`
          : r.min !== undefined
            ? `a number of at least ${r.min}`
            : r.max !== undefined
              ? `a number up to ${r.max}`
              : 'a number';
  return `${bounds}${r.of ? ` of ${r.of}` : ''}${r.example ? ` (e.g. ${r.example})` : ''}`;
}
