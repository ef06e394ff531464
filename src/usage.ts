import { type ArgOptions, parseCommandArgs as parseArgsFor } from '../shared/cli-args/command-args.ts';
import { optionsOf, UsageError } from '../shared/cli-args/usage-error.ts';
import { expandArchivePaths } from './archive/archive-paths.ts';
import { FilterError, parseFilter, type RecordPredicate } from './filter.ts';

export { UsageError };

const helpOf = (command: string) => `broker ${command} --help`;

/** parseArgs for a broker command: errors name the bad word and point at `broker <command> --help`. */
export function parseCommandArgs<O extends ArgOptions>(command: string, argv: string[], options: O, allowPositionals = false) {
  return parseArgsFor(argv, options, { command, help: helpOf(command), allowPositionals });
}

/** A command's options for the shared value helpers: `const opt = commandOptions('record'); int(v, opt('--status'), …)`. */
export function commandOptions(command: string) {
  return optionsOf(helpOf(command));
}

/** The single FILE argument of an archive command. */
export function archiveArg(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs an archive FILE (see '${helpOf(command)}')`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' for '${command}' (see '${helpOf(command)}')`);
  return positionals[0] as string;
}

/**
 * The FILE... arguments of cat, stats, verify and replay: one or more paths or globs (rotated parts included:
 * 'traffic.brk*' is FILE, FILE.1, FILE.2, …), expanded by broker when the shell did not. A glob that matches
 * nothing is a usage error naming it; a path that does not exist is kept, for the command to report.
 */
export async function archiveArgs(command: string, positionals: string[]): Promise<string[]> {
  if (positionals.length === 0) throw new UsageError(`${command} needs an archive FILE (see '${helpOf(command)}')`);
  const { paths, unmatched } = await expandArchivePaths(positionals);
  if (unmatched.length > 0) {
    const quoted = unmatched.map((p) => `'${p}'`).join(', ');
    throw new UsageError(
      `FILE ${quoted} ${unmatched.length === 1 ? 'matches' : 'match'} no file; FILE is an archive's path or a glob of them (* ? [...] {a,b} **, e.g. 'traffic.brk*' for a rotated recording) (see '${helpOf(command)}')`,
    );
  }
  return paths;
}

/** --filter EXPR of cat and replay; the grammar is in `broker cat --help`. */
export function filterArg(command: string, expr: string | undefined): RecordPredicate | null {
  if (expr === undefined) return null;
  try {
    return parseFilter(expr);
  } catch (err) {
    if (err instanceof FilterError) throw new UsageError(`bad --filter: ${err.message} in '${expr}' (see '${helpOf(command)}')`);
    throw err;
  }
}
