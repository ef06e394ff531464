/*
 * Checked reads for values the types cannot prove are there (noUncheckedIndexedAccess, optional fields):
 * instead of a non-null assertion, a check that fails with an error naming what was missing.
 */

/** A value the program relies on was not there: a bug, named. */
export class MissingError extends Error {
  override name = 'MissingError';
}

/** A capture group the pattern always fills did not take part: the pattern and its reader disagree. */
export class MatchError extends Error {
  override name = 'MatchError';
}

/** `value`, which must be there; MissingError naming `what` otherwise. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new MissingError(`${what} is missing`);
  return value;
}

type Strings<N extends number, T extends string[] = []> = T['length'] extends N ? T : Strings<N, [...T, string]>;

/**
 * Groups 1..n of a successful match, as strings, for patterns whose first n groups always take part
 * (an optional group reads m[i] itself, as string | undefined). Destructure them: const [name, value] = captures(m, 2).
 */
export function captures<N extends number>(m: RegExpExecArray | RegExpMatchArray, n: N): Strings<N> {
  const groups: string[] = [];
  for (let i = 1; i <= n; i++) {
    const group = m[i];
    if (group === undefined) throw new MatchError(`group ${i} of the match '${m[0]}' did not take part`);
    groups.push(group);
  }
  return groups as Strings<N>;
}
