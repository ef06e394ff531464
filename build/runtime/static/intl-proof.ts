import { execFileSync, spawnSync } from 'node:child_process';
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

/**
 * Word segmentation needs ICU's break-iterator rules. Node's small-icu data has none, and V8 then keeps a null
 * iterator and crashes on the first segment() (nodejs/node#51752) — string-width, so ora, boxen and inquirer, call it.
 */
const SEGMENTER_PROBE = `process.stdout.write(String([...new Intl.Segmenter('en', { granularity: 'word' }).segment('a b')].length))`;

/** Why the runtime's Intl.Segmenter does not work, or undefined when it splits "a b" into its 3 words. */
export function segmenterFault(binary: string): string | undefined {
  const r = spawnSync(binary, ['-e', SEGMENTER_PROBE], { encoding: 'utf8', env: {} });
  if (r.signal) return `Intl.Segmenter kills it (${r.signal}): its ICU data has no break-iterator rules (nodejs/node#51752)`;
  if (r.status !== 0 || r.stdout !== '3') return `Intl.Segmenter split "a b" into ${r.stdout || 'nothing'} (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
  return undefined;
}

/** The proof a runtime was built with the Intl it is named for, and that its Intl.Segmenter works. */
export function assertIntl(binary: string, expected: IntlMode): IntlFacts {
  const facts = intlFacts(binary);
  if (facts.intl !== expected) throw new Error(`${binary}: built for --intl ${expected}, but its Intl is ${facts.intl}${facts.icu ? ` (ICU ${facts.icu})` : ''}`);
  const fault = facts.intl === 'none' ? undefined : segmenterFault(binary);
  if (fault) throw new Error(`${binary}: ${fault}`);
  return facts;
}
