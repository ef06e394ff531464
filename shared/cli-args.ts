import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how a command was called: exit code 2 and a one-line message pointing at --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ArgOptions = NonNullable<ParseArgsConfig['options']>;

export interface ArgContext {
  /** The command being parsed, named in the message: "unknown option '--x' for 'cat'". */
  command: string;
  /** Where to look, appended as "(see '<help>')", e.g. "broker cat --help". */
  help: string;
  allowPositionals?: boolean;
}

/** Strict parseArgs whose errors name the bad word and the help to read (broker, build and matrix CLIs alike). */
export function parseCommandArgs<O extends ArgOptions>(argv: string[], options: O, at: ArgContext) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: at.allowPositionals ?? false, strict: true });
  } catch (err) {
    const msg = (err as Error).message;
    const word = /'([^']+)'/.exec(msg)?.[1];
    const code = (err as { code?: string }).code;
    const see = `(see '${at.help}')`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${word}' for '${at.command}' ${see}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument '${word}' for '${at.command}' ${see}`);
    throw new UsageError(`${msg.split('\n')[0]} ${see}`);
  }
}
