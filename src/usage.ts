/** A mistake in how broker was called: exit code 2 and a one-line message pointing at --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors rewritten to name the bad word, the way every broker command reports them. */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const msg = (err as Error).message;
    const word = /'([^']+)'/.exec(msg)?.[1];
    const code = (err as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${word}' for '${command}' (see 'broker ${command} --help')`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument '${word}' for '${command}' (see 'broker ${command} --help')`);
    throw new UsageError(`${msg.split('\n')[0]} (see 'broker ${command} --help')`);
  }
}
