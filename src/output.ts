/*
 * The commands' output on stdout, one line at a time. A write that fails ends broker at once, in one line:
 * - EPIPE: the reader has gone (`broker cat A | head`) and has what it wanted. Exit 0, silently — the usual
 *   convention for a program whose reader stops early, and a pipeline under `set -o pipefail` stays green.
 * - anything else (ENOSPC on a full disk, EIO, stdout on /dev/full): one line naming the cause, exit 1.
 * Node reports a failed write as an 'error' event a tick later, but marks the stream errored at once: checking
 * after each write stops `cat` at the first failed line instead of after reading the whole archive for nothing.
 */

const why: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'I/O error',
  EBADF: 'standard output is closed',
};

function outputFailed(err: NodeJS.ErrnoException): never {
  if (err.code === 'EPIPE') process.exit(0);
  const cause = (err.code && why[err.code]) ?? err.message;
  process.stderr.write(`broker: cannot write the output: ${cause}${err.code ? ` (${err.code})` : ''}; it is incomplete\n`);
  process.exit(1);
}

/** Sends stdout's write errors to outputFailed, and ignores stderr's (there is nowhere left to report them). */
export function watchOutput(): void {
  process.stdout.on('error', outputFailed);
  process.stderr.on('error', () => {});
}

/** Writes one line to stdout; a failed write ends the process (see above). */
export function outLine(line: string): void {
  process.stdout.write(`${line}\n`);
  const err = process.stdout.errored as NodeJS.ErrnoException | null;
  if (err) outputFailed(err);
}
