import { execFileSync } from 'node:child_process';
import type { IntlMode } from './context.ts';

/**
 * What the runtime says of its own Intl: none (no Intl object), small (English only: a German
 * month name falls back to English) or full (every locale). ICU's version comes with it.
 */
const PROBE = `const m = typeof Intl === 'undefined' ? 'none'
  : new Intl.DateTimeFormat('de-DE', { month: 'long', timeZone: 'UTC' }).format(new Date(0)) === 'Januar' ? 'full' : 'small';
process.stdout.write(JSON.stringify({ intl: m, icu: process.versions.icu ?? null }));`;

export interface IntlFacts {
  intl: IntlMode;
  icu: string | null;
}

export function intlFacts(binary: string): IntlFacts {
  return JSON.parse(execFileSync(binary, ['-e', PROBE], { encoding: 'utf8', env: {} })) as IntlFacts;
}

/** The proof a runtime was built with the Intl it is named for. */
export function assertIntl(binary: string, expected: IntlMode): IntlFacts {
  const facts = intlFacts(binary);
  if (facts.intl !== expected) throw new Error(`${binary}: built for --intl ${expected}, but its Intl is ${facts.intl}${facts.icu ? ` (ICU ${facts.icu})` : ''}`);
  return facts;
}
