/** Where the toolchain (dist, runtime fetch, matrix) writes what it is doing. */
export interface Logger {
  info(line: string): void;
  /** Transient progress (a TTY line that is overwritten); dropped when output is not a terminal. */
  progress(line: string): void;
}
