import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../shared/toolchain/arch.ts';
import { cacheRoot } from '../shared/toolchain/cache-root.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import { type BuildContext, distLog, type RuntimeRequest } from './context.ts';
import { type AnyStep, runSteps } from './pipeline.ts';
import type { OfficialSource } from './runtime/official.ts';
import { blobStep } from './steps/blob.ts';
import { bundleStep } from './steps/bundle.ts';
import { checksumStep } from './steps/checksum.ts';
import { injectStep } from './steps/inject.ts';
import { manifestStep } from './steps/manifest.ts';
import { preflightStep } from './steps/preflight.ts';
import { reportStep } from './steps/report.ts';
import { runtimeStep } from './steps/runtime.ts';
import { verifyStep } from './steps/verify.ts';

export interface DistOptions {
  root: string;
  outDir?: string;
  /** 'official' (default), 'static', or a path to any Node binary. */
  runtime?: string;
  arch?: Arch;
  officialSource?: OfficialSource;
  log: Logger;
}

interface PackageJson {
  name: string;
  version: string;
  broker: { nodeVersion: string; runtimeIntegrity?: Partial<Record<Arch, string>> };
}

// The whole build, in order. The runtime comes first: the bundle embeds which runtime it will run on.
export const distSteps: AnyStep<BuildContext>[] = [runtimeStep, bundleStep, preflightStep, blobStep, injectStep, verifyStep, checksumStep, manifestStep, reportStep];

async function git(root: string, args: string[]): Promise<string | undefined> {
  const res = await execa('git', args, { cwd: root, reject: false });
  return res.exitCode === 0 ? res.stdout.trim() : undefined;
}

/** Commit and SOURCE_DATE_EPOCH: the only build facts that reach the artifact, so equal commits give equal bytes. */
async function sourceFacts(root: string, log: Logger): Promise<{ commit: string; sourceDateEpoch: number }> {
  const head = await git(root, ['rev-parse', 'HEAD']);
  const dirty = head !== undefined && (await git(root, ['status', '--porcelain', '--untracked-files=no'])) !== '';
  const commit = head === undefined ? 'unknown' : `${head}${dirty ? '-dirty' : ''}`;
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return { commit, sourceDateEpoch: Number(fromEnv) };
  const ct = await git(root, ['log', '-1', '--format=%ct']);
  if (ct === undefined) log.info('  note: not a git checkout and no SOURCE_DATE_EPOCH set; using 0');
  return { commit, sourceDateEpoch: ct === undefined ? 0 : Number(ct) };
}

function runtimeRequest(runtime: string | undefined): RuntimeRequest {
  if (runtime === undefined || runtime === 'official') return { kind: 'official' };
  if (runtime === 'static') return { kind: 'static' };
  return { kind: 'custom', path: resolve(runtime) };
}

/** `npm run dist`: bundle src/, make the SEA blob with the runtime, inject, verify, checksum, describe. */
export async function dist(opts: DistOptions): Promise<BuildContext> {
  const pkg = JSON.parse(await readFile(join(opts.root, 'package.json'), 'utf8')) as PackageJson;
  const arch = opts.arch ?? 'x64';
  const workDir = await mkdtemp(join(tmpdir(), 'broker-dist-'));
  const ctx: BuildContext = {
    root: opts.root,
    outDir: resolve(opts.outDir ?? join(opts.root, 'dist')),
    workDir,
    cacheDir: cacheRoot(),
    name: pkg.name,
    version: pkg.version,
    ...(await sourceFacts(opts.root, opts.log)),
    nodeVersion: pkg.broker.nodeVersion,
    arch,
    runtimeRequest: runtimeRequest(opts.runtime),
    officialSource: opts.officialSource,
    officialIntegrity: pkg.broker.runtimeIntegrity?.[arch],
    log: opts.log,
    timings: [],
  };
  try {
    await runSteps(ctx, distSteps, distLog(ctx));
    return ctx;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
