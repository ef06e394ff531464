/*
 * The FILE arguments of the reader commands (cat, stats, verify, replay): paths and shell-style globs, so a
 * quoted 'traffic.brk*' (the shell did not expand it) names FILE and its rotated parts FILE.1, FILE.2, …
 *
 * The matching is ours, not fs.globSync: Node 22 (the shipped runtime) has fs.globSync, but Node 20, which runs
 * the tests and `tsx`, does not, and path.matchesGlob there warns that it is experimental. A dependency for what
 * the shell itself does with three characters was not worth it either, so this is the shell's rule, in one
 * implementation for both runtimes: `*` any run of characters, `?` one character, `[...]` one of a set (`[!...]`
 * or `[^...]` none of it, ranges like `[0-9]`), `\` quotes the next character; a wildcard never matches `/`, nor a
 * leading `.` unless the pattern's own segment starts with one. test/app/archive-paths.test.ts checks it
 * against bash.
 */
import { type Dirent, lstatSync, readdirSync, statSync } from 'node:fs';

/** True when `arg` has an unquoted `*`, `?` or `[...]`. */
export function hasGlob(arg: string): boolean {
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[' && bracketEnd(arg, i) > 0) return true;
  }
  return false;
}

/** Index of the `]` closing the bracket expression opened at `open`, or -1 (then `[` is an ordinary character). */
function bracketEnd(s: string, open: number): number {
  let i = open + 1;
  if (s[i] === '!' || s[i] === '^') i++;
  if (s[i] === ']') i++; // a `]` first in the set is a member
  for (; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ']') return i;
  }
  return -1;
}

const literal = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** One path segment's pattern as a RegExp over a directory entry's name. */
function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '\\') re += literal(seg[++i] ?? '\\');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[' && bracketEnd(seg, i) > 0) {
      const end = bracketEnd(seg, i);
      let j = i + 1;
      let set = '';
      if (seg[j] === '!' || seg[j] === '^') {
        set = '^';
        j++;
      }
      const first = j;
      for (; j < end; j++) {
        const m = seg[j] as string;
        if (m === '\\') set += literal(seg[++j] ?? '\\');
        else if (m === '-' && j > first && j + 1 < end)
          set += '-'; // a range; first or last it is a member
        else set += literal(m);
      }
      re += `[${set}]`;
      i = end;
    } else re += literal(c);
  }
  return new RegExp(`^${re}$`, 's');
}

const unquote = (seg: string) => seg.replace(/\\(.)/gs, '$1');

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir === '' ? '.' : dir, { withFileTypes: true });
  } catch {
    return []; // missing, not a directory, unreadable: nothing matches there, as in the shell
  }
}

function isDirectory(path: string, e: Dirent): boolean {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const join = (base: string, name: string) => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);

/** The paths a glob matches, as the shell would list them but in natural order (FILE, FILE.1, FILE.2, FILE.10). */
export function expandGlob(pattern: string): string[] {
  const segs = pattern.split('/');
  let bases = [pattern.startsWith('/') ? '/' : ''];
  segs.forEach((seg, k) => {
    if (seg === '') return; // the root, or a doubled slash
    const last = k === segs.length - 1 || segs.slice(k + 1).every((s) => s === '');
    if (!hasGlob(seg)) {
      bases = bases.map((b) => join(b, unquote(seg)));
      return;
    }
    const re = segmentRegExp(seg);
    const dotOk = seg.startsWith('.') || seg.startsWith('\\.');
    bases = bases.flatMap((b) =>
      entries(b)
        .filter((e) => (dotOk || !e.name.startsWith('.')) && re.test(e.name) && (last || isDirectory(join(b, e.name), e)))
        .map((e) => join(b, e.name)),
    );
  });
  return bases.filter((p) => exists(p)).sort(naturalCompare);
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
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && x.length !== y.length) return x.replace(/^0+/, '').length - y.replace(/^0+/, '').length || x.length - y.length;
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
export function expandArchivePaths(args: string[]): ArchivePaths {
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
    if (exists(arg) || !hasGlob(arg)) add(arg);
    else {
      const found = expandGlob(arg);
      if (found.length === 0) unmatched.push(arg);
      for (const p of found) add(p);
    }
  }
  return { paths, unmatched };
}
