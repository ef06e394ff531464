import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { readElfFile } from '../shared/elf/file.ts';
import { maxVersions } from '../shared/elf/portability.ts';

export interface LibraryFacts {
  path: string;
  versionDefs: string[];
}

/** What an image offers a dynamic program, read from its unpacked root (never by running anything in it). */
export interface ImageFacts {
  /** "glibc 2.31", "musl", or "none". */
  libc: string;
  libbz2: boolean;
  /** Whether the artifact's PT_INTERP exists in the image; null for a static artifact. */
  interpreterPresent: boolean | null;
  /** Each DT_NEEDED of the artifact: where the image has it, or null. */
  libraries: Record<string, LibraryFacts | null>;
}

const LIB_DIRS: Record<'x64' | 'arm64', string[]> = {
  x64: ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'],
  arm64: ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'],
};
const MUSL_LOADER: Record<string, string> = { x64: '/lib/ld-musl-x86_64.so.1', arm64: '/lib/ld-musl-aarch64.so.1' };

/** Follows symlinks as the image would see them: absolute targets resolve inside the root, not on the host. */
export function resolveInRoot(root: string, path: string): string | null {
  let current = posix.normalize(path);
  for (let hops = 0; hops < 40; hops++) {
    const parts = current.split('/').filter(Boolean);
    let resolved = '/';
    let relinked = false;
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(resolved, parts[i] as string);
      const host = join(root, next);
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(host);
      } catch {
        return null;
      }
      if (st.isSymbolicLink()) {
        const target = readlinkSync(host);
        const base = target.startsWith('/') ? target : posix.join(resolved, target);
        current = posix.normalize(posix.join(base, ...parts.slice(i + 1)));
        relinked = true;
        break;
      }
      resolved = next;
    }
    if (!relinked) return join(root, resolved);
  }
  return null;
}

function findLibrary(root: string, dirs: string[], soname: string): LibraryFacts | null {
  for (const dir of dirs) {
    const host = resolveInRoot(root, posix.join(dir, soname));
    if (host && existsSync(host)) {
      let versionDefs: string[] = [];
      try {
        versionDefs = readElfFile(host).versionDefs;
      } catch {
        // An unreadable library still counts as present; its versions are unknown.
      }
      return { path: posix.join(dir, soname), versionDefs };
    }
  }
  return null;
}

/**
 * glibc's release, from the banner it carries ("… release version 2.31"): its newest symbol version can be
 * older (2.31 defines nothing past GLIBC_2.30), so symbol versions alone would misname the release.
 */
function glibcRelease(hostPath: string | null): string | undefined {
  if (!hostPath) return undefined;
  try {
    return /release version (\d+\.\d+)/.exec(readFileSync(hostPath).toString('latin1'))?.[1];
  } catch {
    return undefined;
  }
}

export function imageFacts(root: string, arch: string, artifact: { interpreter: string | null; needed: string[] }): ImageFacts {
  const dirs = LIB_DIRS[arch === 'arm64' ? 'arm64' : 'x64'];
  const glibc = findLibrary(root, dirs, 'libc.so.6');
  const musl = resolveInRoot(root, MUSL_LOADER[arch] ?? '');
  let libc = 'none';
  if (glibc) libc = `glibc ${glibcRelease(resolveInRoot(root, glibc.path)) ?? maxVersions({ file: 'libc.so.6', versions: glibc.versionDefs }).GLIBC ?? '(version unknown)'}`;
  else if (musl && existsSync(musl)) libc = 'musl';
  const libbz2 = dirs.some((d) => {
    const host = resolveInRoot(root, d);
    return host !== null && existsSync(host) && readdirSync(host).some((f) => f.startsWith('libbz2.so'));
  });
  const interp = artifact.interpreter === null ? null : resolveInRoot(root, artifact.interpreter);
  return {
    libc,
    libbz2,
    interpreterPresent: artifact.interpreter === null ? null : interp !== null && existsSync(interp),
    libraries: Object.fromEntries(artifact.needed.map((n) => [n, findLibrary(root, dirs, n)])),
  };
}
