/*
 * The toolchain as an npm package another project installs (`npm i -D ./seal-<version>.tgz`, then
 * `npx seal pack`): build/ and shared/ as they are in this checkout (run by tsx, so the installed code is the
 * tested code), without what only this repository uses (benchmarks, parity, the real-world table), and a
 * package.json of its own whose dependencies are exactly the versions this checkout's lockfile pins.
 * Every project on a machine then shares one cache (shared/toolchain/cache-root.ts), so a static runtime
 * built once serves them all.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';

/** What the installed toolchain imports. The static runtime's compiler (Zig) is fetched when a build needs it (package.json → runtimes.zig). */
const DEPENDENCIES = ['esbuild', 'execa', 'postject', 'tinyglobby', 'source-map-js', 'magic-string', '@jridgewell/remapping', 'acorn', 'acorn-walk', 'resolve.exports', '@roberts_lando/vfs', 'tsx'];
/** Parts of build/ that serve only this repository. */
const REPOSITORY_ONLY = ['bench', 'parity', 'realworld', 'release'];

export const TOOLCHAIN_PACKAGE = 'seal';

interface Lock {
  packages: Record<string, { version?: string; integrity?: string }>;
}

function pinned(lock: Lock, names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const version = lock.packages[`node_modules/${name}`]?.version;
      if (!version) throw new BuildError(`package-lock.json pins no version of ${name}; run npm install`);
      return [name, version];
    }),
  );
}

/** Stages the package and runs `npm pack` on it; returns the tarball's path in `outDir`. */
export async function packToolchain(root: string, outDir: string): Promise<string> {
  const own = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string; license: string; engines: Record<string, string>; runtimes: unknown };
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as Lock;
  const stage = await mkdtemp(join(tmpdir(), 'seal-package-'));
  try {
    await cp(join(root, 'build'), join(stage, 'build'), { recursive: true, filter: (src) => !REPOSITORY_ONLY.some((d) => src.startsWith(join(root, 'build', d))) });
    await cp(join(root, 'shared'), join(stage, 'shared'), { recursive: true });
    await cp(join(root, 'docs/toolchain.md'), join(stage, 'README.md'));
    const manifest = {
      name: TOOLCHAIN_PACKAGE,
      version: own.version,
      description: 'Turns a Node.js CLI into one Linux executable: official or fully static (musl + jemalloc) runtime, checked and reproducible',
      type: 'module',
      license: own.license,
      engines: own.engines,
      bin: { seal: 'build/bin/seal.mjs' },
      // The Node version every runtime is, and the official runtime's npm integrity (build/dist.ts runtimePin).
      runtimes: own.runtimes,
      dependencies: pinned(lock, DEPENDENCIES),
    };
    await writeFile(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(outDir, { recursive: true });
    const { stdout } = await execa('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: stage });
    return join(outDir, stdout.trim().split('\n').at(-1) ?? '');
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
