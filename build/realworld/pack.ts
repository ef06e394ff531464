/*
 * Builds a row's binary with the toolchain exactly as a user would: `npm run pack -- DIR --runtime R --out OUT`
 * (build/cli.ts pack, run as a child) on the installed package. The config a CLI needs is the table's `seal`
 * override, written into the installed package's package.json (the pristine one kept beside it and restored
 * from on every run); pkg's config goes into the package's .pkgrc. The pack's whole log is kept next to the artifact.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { firstError } from './compare.ts';
import { toolchainRoot } from './runtimes.ts';
import type { RealWorldCli } from './table.ts';

const PRISTINE = 'package.json.realworld-orig';
const PKGRC = '.pkgrc';

/**
 * Writes the row's `seal` section into the installed package's package.json (or restores it as published),
 * and its `pkg` config as the package's .pkgrc: pkg lets its built-in dictionary entry for a package of the
 * same name replace a package.json `pkg` field (eslint's entry names files eslint no longer has).
 */
export async function configurePackage(pkgDir: string, cli: RealWorldCli): Promise<void> {
  const manifest = join(pkgDir, 'package.json');
  const pristine = join(pkgDir, PRISTINE);
  if (!existsSync(pristine)) await copyFile(manifest, pristine);
  const pkg = JSON.parse(await readFile(pristine, 'utf8')) as Record<string, unknown>;
  if (cli.seal) pkg.seal = cli.seal;
  await writeFile(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  if (cli.pkg) await writeFile(join(pkgDir, PKGRC), `${JSON.stringify(cli.pkg, null, 2)}\n`);
  else await rm(join(pkgDir, PKGRC), { force: true });
}

/**
 * The error a failed build printed: its `error:` line and the indented lines under it; for an error the
 * toolchain did not catch (printed with its stack), the thrown line and the lines up to the stack.
 */
export function buildError(log: string): string {
  const lines = log.split('\n');
  const at = lines.findIndex((l) => l.startsWith('error: '));
  if (at >= 0) {
    const rest = lines.slice(at + 1).filter((l) => /^\s+\S/.test(l));
    return [lines[at]?.slice('error: '.length), ...rest.map((l) => l.trim())].join(' ').slice(0, 600);
  }
  const thrown = firstError(log);
  if (thrown === '') return 'failed without a message';
  const from = lines.findIndex((l) => l.trim().startsWith(thrown.slice(0, 80)));
  const until = lines.findIndex((l, i) => i > from && /^\s+at |^\s*[{}]/.test(l));
  const more = from >= 0 ? lines.slice(from + 1, until < 0 ? from + 4 : Math.min(until, from + 4)).map((l) => l.trim()) : [];
  return [thrown, ...more].join(' ').slice(0, 600);
}

export type Built = { artifact: string } | { error: string };

/** `npm run pack` of the installed package onto the runtime; the artifact, or the error the build printed. */
export async function sealPack(pkgDir: string, runtime: 'official' | 'static', out: string): Promise<Built> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const tsx = join(toolchainRoot, 'node_modules', '.bin', 'tsx');
  const res = await execa(tsx, ['build/cli.ts', 'pack', pkgDir, '--runtime', runtime, '--out', out], { cwd: toolchainRoot, reject: false, all: true, env: { NODE_OPTIONS: '' } });
  await writeFile(join(out, 'pack.log'), `${res.all ?? ''}\n`);
  if (res.exitCode !== 0) return { error: buildError(res.all ?? res.shortMessage ?? '') };
  const suffix = runtime === 'static' ? '-linux-x64-static' : '-linux-x64';
  const artifact = (await readdir(out)).find((f) => f.endsWith(suffix));
  return artifact ? { artifact: join(out, artifact) } : { error: `pack exited 0 but ${out} holds no *${suffix}` };
}
