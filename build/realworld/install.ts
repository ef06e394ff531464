/*
 * Each CLI of the table is installed on its own, from the npm registry, into a directory of the toolchain's
 * cache: <cache>/realworld/<name>@<version>/ holding a package.json that depends on exactly the pinned version
 * (and any extra packages the task needs) and what `npm install` put in node_modules. A finished install
 * leaves install.json naming what it installed, so a later run with the same table row reuses it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import type { RealWorldCli } from './table.ts';

/** Where everything of the real-world run lives: installs, artifacts, the last results. */
export function realWorldDir(): string {
  return join(cacheRoot(), 'realworld');
}

/** The install directory of one table row. */
export function installDir(cli: RealWorldCli): string {
  return join(realWorldDir(), `${cli.name}@${cli.version}`);
}

/** What the install directory's package.json depends on: the CLI at its pinned version, and the row's extra packages. */
export function installDependencies(cli: RealWorldCli): Record<string, string> {
  return { [cli.package]: cli.version, ...cli.extraDependencies };
}

/** Installs the row's packages (or finds them installed); returns the CLI package's directory under node_modules. */
export async function installCli(cli: RealWorldCli, log: (line: string) => void): Promise<string> {
  const dir = installDir(cli);
  const pkgDir = join(dir, 'node_modules', ...cli.package.split('/'));
  const dependencies = installDependencies(cli);
  const marker = join(dir, 'install.json');
  const done = await readFile(marker, 'utf8').then(
    (s) => JSON.stringify(JSON.parse(s).dependencies) === JSON.stringify(dependencies),
    () => false,
  );
  if (done && existsSync(pkgDir)) return pkgDir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: `realworld-${cli.name}`, private: true, dependencies }, null, 2)}\n`);
  log(
    `  npm install ${Object.entries(dependencies)
      .map(([n, v]) => `${n}@${v}`)
      .join(' ')}`,
  );
  const res = await execa('npm', ['install', '--no-audit', '--no-fund', '--save-exact'], { cwd: dir, reject: false, env: { NODE_OPTIONS: '' } });
  if (res.exitCode !== 0) throw new Error(`npm install failed in ${dir}: ${(res.stderr || res.stdout).trim().split('\n').slice(-5).join(' / ')}`);
  await writeFile(marker, `${JSON.stringify({ dependencies, at: new Date().toISOString() }, null, 2)}\n`);
  return pkgDir;
}
