import { type ArgOptions, parseCommandArgs as parseArgsFor, UsageError } from '../shared/cli-args.ts';

export { UsageError };

/** parseArgs for a broker command: errors name the bad word and point at `broker <command> --help`. */
export function parseCommandArgs<O extends ArgOptions>(command: string, argv: string[], options: O, allowPositionals = false) {
  return parseArgsFor(argv, options, { command, help: `broker ${command} --help`, allowPositionals });
}
