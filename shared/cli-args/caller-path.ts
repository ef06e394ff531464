/*
 * Where the user ran a command from. `npm run` starts a script in the package's own directory and says where it was
 * called from in INIT_CWD; a path given on the command line (pack's DIR, --out, inspect's FILE) means from there.
 */
import { resolve } from 'node:path';

/** The directory the command was run from. */
export function callerDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

/** A path from the command line, resolved from where the command was run. */
export function callerPath(path: string): string {
  return resolve(callerDir(), path);
}
