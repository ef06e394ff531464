/*
 * The commands' output on stdout, one line at a time, and their messages on stderr.
 *
 * stdout lines go to fd 1 by fs.writeSync while it takes them whole: a command that prints a few lines (`--version`,
 * `stats`) never makes process.stdout, which Node builds on first use (1.2–1.7 ms of a 15 ms start, with the stream
 * modules it loads: docs/benchmarks.md, "Start-up: stdout without a stream"). A line fd 1 cannot take now (EAGAIN: a
 * non-blocking pipe that is full) or takes in part goes, with every line after it, through process.stdout, which
 * waits for the reader. Node opens /dev/null on a closed fd 0-2 before any code runs, so fd 1 is never another file.
 *
 * A write that fails ends broker at once, in one line:
 * - EPIPE: the reader has gone (`broker cat A | head`) and has what it wanted. Exit 0, silently — the usual
 *   convention for a program whose reader stops early, and a pipeline under `set -o pipefail` stays green.
 * - anything else (ENOSPC on a full disk, EIO, stdout on /dev/full): one line naming the cause, exit 1.
 * A direct write fails at once; through the stream, Node reports a failed write as an 'error' event a tick later,
 * but marks the stream errored at once: checking after each write stops `cat` at the first failed line instead of
 * after reading the whole archive for nothing.
 */
import { writeSync } from 'node:fs';

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

/** process.stdout once a line has needed it (see above), its write errors sent to outputFailed. */
let stdoutStream: NodeJS.WriteStream | null = null;

/** Writes one line to stdout; a failed write ends the process (see above). */
export function outLine(line: string): void {
  let bytes = Buffer.from(`${line}\n`);
  if (stdoutStream === null) {
    try {
      for (let n = 1; bytes.length > 0 && n > 0; bytes = bytes.subarray(n)) n = writeSync(1, bytes);
      if (bytes.length === 0) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') outputFailed(err as NodeJS.ErrnoException);
    }
    stdoutStream = process.stdout;
    stdoutStream.on('error', outputFailed);
  }
  stdoutStream.write(bytes);
  const err = stdoutStream.errored as NodeJS.ErrnoException | null;
  if (err) outputFailed(err);
}

let stderrWatched = false;

/** Writes to stderr, whose write errors are ignored: there is nowhere left to report them. */
export function errText(text: string): void {
  if (!stderrWatched) {
    process.stderr.on('error', () => {});
    stderrWatched = true;
  }
  process.stderr.write(text);
}

/** Writes one line to stderr (errText). */
export function errLine(line: string): void {
  errText(`${line}\n`);
}

/** Whether a stream made here still holds output it has not handed to the kernel (a full non-blocking pipe). */
export function writesPending(): boolean {
  return (stdoutStream?.writableLength ?? 0) > 0 || (stderrWatched && process.stderr.writableLength > 0);
}
