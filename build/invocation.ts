/*
 * How the user started the toolchain, for the commands its help and messages name: `npm run <script> -- …` in this
 * checkout, `npx seal <command> …` where another project installed it as a package (build/bin/seal.mjs says so).
 */
const INSTALLED = Symbol.for('seal.installed');

/** Called by build/bin/seal.mjs before it loads a CLI. */
export function markInstalled(): void {
  (globalThis as Record<symbol, unknown>)[INSTALLED] = true;
}

/** Whether this is the installed package (npx seal), not this checkout. */
export function installed(): boolean {
  return (globalThis as Record<symbol, unknown>)[INSTALLED] === true;
}

/** The command line that runs `command` (pack, inspect, runtime, …) with `args`, as this user starts it. */
export function commandLine(command: string, args = ''): string {
  if (installed()) return `npx seal ${command}${args ? ` ${args}` : ''}`;
  const script = command === 'toolchain-package' ? 'toolchain:pack' : command;
  return `npm run ${script}${args ? ` -- ${args}` : ''}`;
}
