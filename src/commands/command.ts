export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

/** One broker subcommand; returns its exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIO): number | Promise<number>;
}
