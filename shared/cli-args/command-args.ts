import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.ts';

export type ArgOptions = NonNullable<ParseArgsConfig['options']>;

export interface ArgContext {
  /** The command being parsed, named in the message: "unknown option '--x' for 'cat'". */
  command: string;
  /** Where to look, appended as "(see '<help>')", e.g. "broker cat --help". */
  help: string;
  allowPositionals?: boolean;
}

/** Strict parseArgs whose errors name the bad word, what is allowed instead, and the help to read. */
export function parseCommandArgs<O extends ArgOptions>(argv: string[], options: O, at: ArgContext) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: at.allowPositionals ?? false, strict: true, tokens: true });
  } catch (err) {
    const msg = (err as Error).message;
    const word = /'([^']+)'/.exec(msg)?.[1];
    const code = (err as { code?: string }).code;
    const see = `(see '${at.help}')`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${word}' for '${at.command}'; its options are ${optionList(options)} ${see}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument '${word}' for '${at.command}' ${see}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // Node's words: "Option '--max-body' argument is ambiguous" (the next word starts with '-', e.g. -1) or
      // "Option '--max-body <value>' argument missing".
      const name = word?.split(' ')[0] ?? '';
      if (/ambiguous/.test(msg)) throw new UsageError(`${name} takes a value, and the word after it starts with '-': write ${name}=VALUE if that is its value ${see}`);
      if (/missing/.test(msg)) throw new UsageError(`${name} needs a value ${see}`);
    }
    throw new UsageError(`${msg.split('\n')[0]} ${see}`);
  }
  // A value option given twice: parseArgs keeps the last, and an earlier mistake (--arch riscv --arch x64) went unseen.
  const given = new Map<string, string[]>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple) continue;
    given.set(t.name, [...(given.get(t.name) ?? []), t.value ?? '']);
  }
  for (const [name, values] of given) {
    if (values.length > 1) throw new UsageError(`--${name} is given ${values.length} times (${values.map((v) => `'${v}'`).join(', ')}); give it once (see '${at.help}')`);
  }
  const { values, positionals } = parsed;
  return { values, positionals };
}

/** Every CLI here answers --help, whether or not its parser declares it. */
function optionList(options: ArgOptions): string {
  const names = Object.keys(options).map((n) => `--${n}`);
  return [...names, ...(names.includes('--help') ? [] : ['--help'])].join(', ');
}

/** The CLI whose subcommand is read (unnamed at a CLI's top level) and the help listing them. */
export interface SubcommandContext {
  command?: string;
  help: string;
}

/**
 * The subcommand word, checked against the known ones; `undefined` (none given) is the caller's to
 * decide. An unknown word is a usage error listing them, never a silent fallback to a default action.
 */
export function subcommand<T extends string>(word: string, known: readonly T[], at: SubcommandContext): T;
export function subcommand<T extends string>(word: string | undefined, known: readonly T[], at: SubcommandContext): T | undefined;
export function subcommand<T extends string>(word: string | undefined, known: readonly T[], at: SubcommandContext): T | undefined {
  if (word === undefined || known.includes(word as T)) return word as T | undefined;
  throw new UsageError(`unknown ${word.startsWith('-') ? 'option' : 'command'} '${word}'${at.command ? ` for '${at.command}'` : ''}; the commands are ${known.join(', ')} (see '${at.help}')`);
}
