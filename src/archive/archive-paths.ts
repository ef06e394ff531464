/*
 * The FILE arguments of the reader commands (cat, stats, verify, replay): paths and shell-style globs, so a
 * quoted 'traffic.brk*' (the shell did not expand it) names FILE and its rotated parts FILE.1, FILE.2, …
 *
 * Matching is tinyglobby's (picomatch's rules, fdir's walk), on both runtimes: Node 22 (the shipped one) has
 * fs.globSync but Node 20, which runs the tests and tsx, does not. As in the shell, a wildcard never matches
 * `/`, nor a leading `.` unless the pattern says so; test/app/multi-archive.test.ts checks it against bash.
 */
import { lstatSync, statSync } from 'node:fs';

type Tinyglobby = typeof import('tinyglobby');

/** tinyglobby, loaded for an argument that names no file: setting up it and its matcher is ~1 ms of a 25 ms `stats`. */
const tinyglobby = (): Promise<Tinyglobby> => import('tinyglobby');

/** The leading segments of `pattern` that hold no wildcard: the directory the walk starts from. */
function staticBase(pattern: string, { isDynamicPattern }: Tinyglobby): { base: string; rest: string } {
  const segs = pattern.split('/');
  let k = 0;
  while (k < segs.length - 1 && !isDynamicPattern(segs[k] as string)) k++;
  const base = segs.slice(0, k).join('/');
  return { base: pattern.startsWith('/') && base === '' ? '/' : base, rest: segs.slice(k).join('/') };
}

/** The paths a glob matches, as the shell would list them but in natural order (FILE, FILE.1, FILE.2, FILE.10). */
export async function expandGlob(pattern: string): Promise<string[]> {
  const glob = await tinyglobby();
  const { base, rest } = staticBase(pattern, glob);
  const found = glob.globSync(rest, { cwd: base === '' ? '.' : base, dot: false, onlyFiles: false, expandDirectories: false, followSymbolicLinks: true });
  const join = (name: string) => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
  // tinyglobby marks directories with a trailing slash; the shell does not.
  return found
    .map((p) => join(p.replace(/\/$/, '')))
    .filter((p) => exists(p))
    .sort(naturalCompare);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Digit runs compare as numbers, everything else by UTF-16 code unit (no Intl: a static runtime may lack it). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      // As numbers: without leading zeros the longer is larger, equal lengths compare digit by digit; equal
      // values, the one with fewer leading zeros first.
      const sx = x.replace(/^0+/, '');
      const sy = y.replace(/^0+/, '');
      if (sx.length !== sy.length) return sx.length - sy.length;
      if (sx !== sy) return sx < sy ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export interface ArchivePaths {
  /** The files to read, in argument order (each glob's matches in natural order), each once. */
  paths: string[];
  /** Globs that matched no file. */
  unmatched: string[];
}

/**
 * Expands the FILE arguments: a path that exists is taken as it is (even with `*` in its name); any other
 * argument with a wildcard is a glob. A path named twice (or by a glob and by name) is read once. A path that
 * does not exist is kept, for the command to report as it always has ("no such file").
 */
export async function expandArchivePaths(args: string[]): Promise<ArchivePaths> {
  const paths: string[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    let key = `path:${p}`;
    try {
      const st = statSync(p);
      key = `inode:${st.dev}:${st.ino}`;
    } catch {}
    if (seen.has(key)) return;
    seen.add(key);
    paths.push(p);
  };
  for (const arg of args) {
    if (exists(arg)) {
      add(arg);
      continue;
    }
    if (!(await tinyglobby()).isDynamicPattern(arg)) add(arg);
    else {
      const found = await expandGlob(arg);
      if (found.length === 0) unmatched.push(arg);
      for (const p of found) add(p);
    }
  }
  return { paths, unmatched };
}
