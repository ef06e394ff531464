import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Launcher } from '../runtime/launcher.ts';

/** The probe each runtime runs: one `case: JSON` line per Intl behaviour (see the file). */
export const INTL_PROBE = fileURLToPath(new URL('./intl-probe.cjs', import.meta.url));

/**
 * Why a case may differ between the official runtime (ICU 78.2 from Node's own icu-small) and ours
 * (ICU 78.3 from Debian's source). A difference without an entry here is a failure.
 */
export const INTL_KNOWN_DIFFERENCES: Record<string, string> = {};

export interface IntlCase {
  name: string;
  official: string;
  static: string;
  reason?: string;
}

export interface IntlParity {
  cases: number;
  identical: number;
  differences: IntlCase[];
  /** Differences no entry of INTL_KNOWN_DIFFERENCES explains. */
  unexplained: number;
}

/**
 * Runs the probe with an empty environment, so neither runtime sees the host's TZ or LANG; a
 * foreign-arch runtime runs through its launcher (qemu-user).
 */
export function runIntlProbe(runtime: string, launcher?: Launcher): string {
  const [cmd, args] = launcher ? launcher.command(runtime, [INTL_PROBE]) : [runtime, [INTL_PROBE]];
  return execFileSync(cmd, args, { encoding: 'utf8', env: {}, maxBuffer: 16 << 20 });
}

function parse(output: string): Map<string, string> {
  const cases = new Map<string, string>();
  for (const line of output.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) cases.set(line.slice(0, at), line.slice(at + 2));
  }
  return cases;
}

/** Case-by-case comparison of two probe outputs; identical output byte for byte means no differences. */
export function compareIntl(official: string, statik: string, known: Record<string, string> = INTL_KNOWN_DIFFERENCES): IntlParity {
  const a = parse(official);
  const b = parse(statik);
  const names = [...new Set([...a.keys(), ...b.keys()])];
  const differences: IntlCase[] = [];
  for (const name of names) {
    const o = a.get(name) ?? '(missing)';
    const s = b.get(name) ?? '(missing)';
    if (o !== s) differences.push({ name, official: o, static: s, ...(known[name] ? { reason: known[name] } : {}) });
  }
  return { cases: names.length, identical: names.length - differences.length, differences, unexplained: differences.filter((d) => !d.reason).length };
}
