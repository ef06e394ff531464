import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { type AddonFacts, nodeAddonFacts } from './node-addon.ts';
import { ElfError, type ElfInfo, parseElf } from './parse.ts';
import { type PortabilityReport, portabilityOf } from './portability.ts';
import { scanFuse } from './sea.ts';
import type { ElfSource } from './source.ts';

/** Reads a file on demand, so inspecting a 100 MB runtime touches only the bytes it needs. */
function fileSource(fd: number, size: number): ElfSource {
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafe(n);
      let done = 0;
      while (done < n) {
        const got = readSync(fd, buf, done, n - done, offset + done);
        if (got === 0) break;
        done += got;
      }
      return buf.subarray(0, done);
    },
  };
}

/** Why a file could not be opened, in words that say what to fix. */
const OPEN_ERRORS: Record<string, string> = {
  EACCES: 'permission denied (read access is needed)',
  ELOOP: 'a loop of symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
};

function danglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function withFile<T>(path: string, fn: (src: ElfSource) => T): T {
  let fd: number;
  try {
    // Non-blocking: a FIFO's open waits for a writer, for ever; the check below then says what it is.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ElfError(`${danglingLink(path) ? 'a symbolic link to a file that does not exist' : 'no such file'}: ${path}`);
    throw new ElfError(code && code in OPEN_ERRORS ? `${OPEN_ERRORS[code]}: ${path}` : `cannot read ${path}: ${code ?? String(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ElfError(`not a regular file: ${path}`);
    return fn(fileSource(fd, st.size));
  } finally {
    closeSync(fd);
  }
}

export function readElfFile(path: string): ElfInfo {
  return withFile(path, parseElf);
}

/** The portability inspector as a library call: parse, scan for the SEA fuse, give a verdict. */
export function inspectFile(path: string, opts: { fuse?: boolean } = {}): PortabilityReport {
  return withFile(path, (src) => portabilityOf(parseElf(src), opts.fuse === false ? null : scanFuse(src).state));
}

/** What a native addon (.node) needs from the runtime that would load it (node-addon.ts). */
export function readNodeAddon(path: string): AddonFacts {
  return withFile(path, nodeAddonFacts);
}

/** inspectFile for a command line: what the reader found wrong is said of the file ("notes.txt: not an ELF file: …"). */
export function inspectPath(path: string, opts: { fuse?: boolean } = {}): PortabilityReport {
  try {
    return inspectFile(path, opts);
  } catch (err) {
    if (err instanceof ElfError && !err.message.includes(path)) throw new ElfError(`${path}: ${err.message}`);
    throw err;
  }
}
