/*
 * Programs of the host (not npm packages) that a build or a bench runs, each with the Debian package that provides
 * it: checked before any work, so a missing one stops at once with the apt-get line, not minutes in with a spawn's
 * ENOENT (or a TypeError reading its output).
 */
import { spawnSync } from 'node:child_process';

/** The programs of `programs` (name or path → Debian package) that are not there, as [program, package] pairs. */
export function missingHostPrograms(programs: Record<string, string>): [string, string][] {
  return Object.entries(programs).filter(([p]) => spawnSync('sh', ['-c', `command -v '${p}'`]).status !== 0);
}

/** Throws, naming every missing program and the one apt-get line that installs them all. */
export function requireHostPrograms(programs: Record<string, string>): void {
  const missing = missingHostPrograms(programs);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  throw new Error(`missing host programs: ${missing.map(([p]) => p).join(', ')} — install with: apt-get install -y ${packages}`);
}
