/*
 * The peer column: @yao-pkg/pkg's SEA mode (from dev-tools/, installed on first use) on the same installed package.
 * pkg needs Node >= 22 to run and otherwise downloads its base Node from nodejs.org, which this machine cannot
 * reach; it runs offline only when its cache already holds the target's Node (its `.ok` sentinels are all it
 * checks). So: pkg's CLI runs on the toolchain's official runtime, with HOME pointing at a directory of ours
 * whose ~/.pkg-cache/sea holds that same runtime as node-v<version>-linux-x64, and a full-version target
 * (a partial one makes pkg ask nodejs.org which version it means).
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureDevTools } from '../dev-tools/dev-tools.ts';
import { firstError } from './compare.ts';
import { realWorldDir } from './install.ts';
import type { Built } from './pack.ts';

/** A HOME whose pkg cache holds `node` (the official runtime) as pkg's download of Node `version`. */
export async function fakePkgHome(node: string, version: string): Promise<string> {
  const home = join(realWorldDir(), 'pkg-home');
  const sea = join(home, '.pkg-cache', 'sea');
  const name = `node-v${version}-linux-x64`;
  await rm(home, { recursive: true, force: true });
  await mkdir(join(sea, name, 'bin'), { recursive: true });
  await writeFile(join(sea, `${name}.tar.gz`), '');
  await writeFile(join(sea, `${name}.tar.gz.ok`), '');
  await symlink(node, join(sea, name, 'bin', 'node'));
  await writeFile(join(sea, name, 'bin', 'node.ok'), '');
  return home;
}

/** `pkg DIR --sea -t node<version>-linux-x64 -o OUT/<bin>` run by the official runtime; the artifact, or pkg's error. */
export async function pkgSea(pkgDir: string, bin: string, out: string, node: { path: string; version: string }, home: string): Promise<Built> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const artifact = join(out, bin);
  const cli = join(await ensureDevTools({ info: () => {}, progress: () => {} }), 'node_modules', '@yao-pkg', 'pkg', 'lib-es5', 'bin.js');
  const res = await execa(node.path, [cli, pkgDir, '--sea', '-t', `node${node.version}-linux-x64`, '-o', artifact], {
    cwd: out,
    reject: false,
    all: true,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PKG_CACHE_PATH: join(home, '.pkg-cache'), NODE_OPTIONS: '' },
  });
  await writeFile(join(out, 'pkg.log'), `${res.all ?? ''}\n`);
  if (res.exitCode !== 0) return { error: firstError(res.all ?? '') || `pkg exited ${res.exitCode}` };
  return { artifact };
}
