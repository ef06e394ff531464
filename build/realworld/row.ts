/*
 * One row of the table, measured: install the CLI, run its task with plain node (the reference), then for
 * each column build a binary (the toolchain on the official runtime, on the static runtime, and pkg's SEA
 * mode), run the same task with it and compare. Every failure is kept as the exact error it printed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { differences, failureLine, type Outcome, referenceProblem } from './compare.ts';
import { installCli, realWorldDir } from './install.ts';
import { type Built, configurePackage, sealPack } from './pack.ts';
import { pkgSea } from './pkg-sea.ts';
import type { Column, RowResult } from './results.ts';
import { type Program, runTask } from './run-task.ts';
import type { RealWorldCli } from './table.ts';

export interface RowEnv {
  node: { path: string; version: string };
  /** The static runtime's path, or why the static column is skipped. */
  staticRuntime: { path: string; version: string } | { skipped: string };
  pkgHome: string;
  /** The toolchain's commit (git describe --dirty), recorded with each row. */
  toolchain: string;
  log: (line: string) => void;
}

/** The file the package's `bin` names for the command. */
async function binScript(pkgDir: string, cli: RealWorldCli): Promise<string> {
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { name: string; bin?: string | Record<string, string> };
  const file = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[cli.bin];
  if (file === undefined) throw new Error(`${cli.package} has no bin named ${cli.bin}`);
  return join(pkgDir, file);
}

/** The bin pkg builds: the one named like the package, else the first (pkg's config.js resolveInput). */
export function pkgChosenBin(pkg: { name: string; bin?: string | Record<string, string> }): string | undefined {
  const unscoped = pkg.name.split('/').pop() as string;
  if (typeof pkg.bin === 'string') return unscoped;
  if (!pkg.bin) return undefined;
  return unscoped in pkg.bin ? unscoped : Object.keys(pkg.bin)[0];
}

/** Runs the task with a built binary and compares it with the reference. */
async function judge(cli: RealWorldCli, program: Program, dir: string, reference: Outcome | undefined, refProblem: string | undefined): Promise<Column> {
  const got = await runTask(program, cli.task, dir);
  if (reference === undefined || refProblem !== undefined) {
    const own = got.kind === 'server' ? got.failed : referenceProblem(cli.task, got);
    return { status: 'fail', detail: `no reference to compare with (plain node: ${refProblem}); the binary: ${own ?? 'did the task'}` };
  }
  const diffs = differences(cli.task, reference, got);
  return diffs.length === 0 ? { status: 'pass', detail: 'same as plain node' } : { status: 'fail', detail: failureLine(diffs, got, reference) };
}

async function column(what: string, built: Built, run: (artifact: string) => Promise<Column>, log: (line: string) => void): Promise<Column> {
  if ('error' in built) {
    log(`    ${what}: build failed: ${built.error}`);
    return { status: 'fail', detail: `build: ${built.error}` };
  }
  const result = await run(built.artifact);
  log(`    ${what}: ${result.status}${result.status === 'pass' ? '' : `: ${result.detail}`}`);
  return result;
}

/** A directory of links named like the bin, pointing at the artifact: a multi-bin binary dispatches on its name. */
async function linked(artifact: string, bin: string, dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const link = join(dir, bin);
  await symlink(artifact, link);
  return link;
}

export async function measureRow(cli: RealWorldCli, env: RowEnv): Promise<RowResult> {
  const { log } = env;
  const out = join(realWorldDir(), 'out', cli.name);
  const runs = join(realWorldDir(), 'runs', cli.name);
  const pkgDir = await installCli(cli, log);
  await configurePackage(pkgDir, cli);
  const script = await binScript(pkgDir, cli);

  const reference = existsSync(script) ? await runTask({ command: env.node.path, prefix: [script], nodeVersion: env.node.version }, cli.task, join(runs, 'node')) : undefined;
  const refProblem = reference === undefined ? `${script} does not exist` : referenceProblem(cli.task, reference);
  log(`    plain node: ${refProblem ? `did not do the task: ${refProblem}` : 'did the task'}`);

  const sealColumn = async (runtime: 'official' | 'static', nodeVersion: string): Promise<Column> => {
    const built = await sealPack(pkgDir, runtime, join(out, runtime));
    return column(runtime, built, async (artifact) => judge(cli, { command: await linked(artifact, cli.bin, join(out, `${runtime}-links`)), prefix: [], nodeVersion }, join(runs, runtime), reference, refProblem), log);
  };
  const official = await sealColumn('official', env.node.version);
  let staticColumn: Column;
  if ('skipped' in env.staticRuntime) {
    staticColumn = { status: 'skipped', detail: env.staticRuntime.skipped };
    log(`    static: skipped: ${env.staticRuntime.skipped}`);
  } else {
    staticColumn = await sealColumn('static', env.staticRuntime.version);
  }

  const manifest = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
  const chosen = pkgChosenBin(manifest);
  let pkgColumn: Column;
  if (chosen !== cli.bin) {
    pkgColumn = { status: 'skipped', detail: `pkg builds the bin ${chosen ?? '(none)'}, not ${cli.bin}` };
    log(`    pkg SEA: skipped: ${pkgColumn.detail}`);
  } else {
    const built = await pkgSea(pkgDir, cli.bin, join(out, 'pkg'), env.node, env.pkgHome);
    pkgColumn = await column('pkg SEA', built, (artifact) => judge(cli, { command: artifact, prefix: [], nodeVersion: env.node.version }, join(runs, 'pkg'), reference, refProblem), log);
  }

  return {
    name: cli.name,
    package: cli.package,
    version: cli.version,
    kind: cli.kind,
    task: cli.task.describe,
    ...(cli.seal ? { seal: cli.seal } : {}),
    ...(cli.pkg ? { pkg: cli.pkg } : {}),
    reference: refProblem ? { status: 'fail', detail: refProblem } : { status: 'pass', detail: 'did the task' },
    official,
    static: staticColumn,
    pkgSea: pkgColumn,
    measuredAt: new Date().toISOString(),
    toolchain: env.toolchain,
  };
}
