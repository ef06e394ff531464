import { alternatives, badValue, type OptionRef } from './usage-error.ts';

/** One of a fixed set of words, typed as that set: `oneOf(v, opt('--compress'), ['gzip', 'brotli', 'none'])`. */
export function oneOf<T extends string>(text: string, at: OptionRef, allowed: readonly T[]): T;
export function oneOf<T extends string>(text: string | undefined, at: OptionRef, allowed: readonly T[]): T | undefined;
export function oneOf<T extends string>(text: string | undefined, at: OptionRef, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!allowed.includes(text as T)) throw badValue(at, text, alternatives(allowed));
  return text as T;
}

/** A comma list of words from a fixed set (`all` for every one when `all` is set), without repeats. */
export function listOf<T extends string>(text: string | undefined, at: OptionRef, allowed: readonly T[], o: { all?: boolean } = {}): T[] | undefined {
  if (text === undefined) return undefined;
  if (o.all && text === 'all') return [...allowed];
  const words = text.split(',');
  const bad = words.find((w) => !allowed.includes(w as T));
  if (bad !== undefined) {
    const allowedText = `${alternatives(allowed)}, or a comma list of them${o.all ? ", or 'all'" : ''}`;
    throw badValue(at, words.length > 1 ? `${bad}' in '${text}` : text, allowedText);
  }
  return [...new Set(words)] as T[];
}
