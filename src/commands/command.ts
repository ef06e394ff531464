import type { ProgressSink } from '../progress.ts';

export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /**
   * Where a long command's progress line goes (src/progress.ts; main.ts: stderr, when it is a terminal); absent where
   * no one would see one (tests, a library caller). The commands that draw one load the progress code themselves.
   */
  progress?: ProgressSink;
}

/** One broker subcommand; returns its exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIO): number | Promise<number>;
}

/**
 * A command as the CLI lists it: its name and summary up front (for `broker --help`), its code only when it
 * runs or shows its usage. A start pays for the one command it runs: `--version` parses no recorder, replayer,
 * undici or histogram code, and loads none of the Node modules they need (docs/benchmarks.md, "Start-up").
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}
