/** A mistake in how a command was called: exit code 2 and a one-line message pointing at --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An option as its usage errors name it: the flag, and the help that explains it. */
export interface OptionRef {
  option: string;
  /** e.g. "broker record --help", quoted as "(see '<help>')". */
  help: string;
}

/** The options of one command, all pointing at its help: `const opt = optionsOf('broker record --help'); opt('--status')`. */
export function optionsOf(help: string): (option: string) => OptionRef {
  return (option) => ({ option, help });
}

/** "--status must be an integer from 200 to 599, got '99' (see 'broker record --help')". */
export function badValue(at: OptionRef, value: string, allowed: string): UsageError {
  return new UsageError(`${at.option} must be ${allowed}, got '${value}' (see '${at.help}')`);
}

/** "a, b or c". */
export function alternatives(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
