import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import { readElfFile } from '../../shared/elf/file.ts';
import { ElfError } from '../../shared/elf/parse.ts';
import { BuildError, type BuildContext } from '../context.ts';
import { sha256File } from '../hash.ts';
import { officialRuntime } from '../runtime/official.ts';
import type { Arch, Runtime } from '../runtime/runtime.ts';

const MACHINE_ARCH: Record<number, Arch> = { 62: 'x64', 183: 'arm64' };

async function customRuntime(path: string, ctx: BuildContext): Promise<Runtime> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new BuildError(`--runtime ${path}: not found or not executable`);
  }
  let arch: Arch | undefined;
  try {
    arch = MACHINE_ARCH[readElfFile(path).header.machineCode];
  } catch (err) {
    if (err instanceof ElfError) throw new BuildError(`--runtime ${path}: ${err.message}`);
    throw err;
  }
  if (!arch) throw new BuildError(`--runtime ${path}: not an x64 or arm64 executable`);
  return { kind: 'custom', path, nodeVersion: ctx.nodeVersion, arch, sha256: await sha256File(path), libc: 'unknown', allocator: 'unknown', inputs: [{ name: 'custom runtime', version: 'unknown', origin: path, sha256: await sha256File(path) }] };
}

/** Asks the runtime itself for its version; undefined when it cannot execute on this host. */
async function probeVersion(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await execa(path, ['--version'], { timeout: 20_000, env: { NODE_OPTIONS: '' } });
    return stdout.trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

/** Resolves the Node binary to inject into: the official one (cached), the static one, or a given path. */
export async function runtimeStep(ctx: BuildContext): Promise<string> {
  const req = ctx.runtimeRequest;
  let runtime: Runtime;
  if (req.kind === 'official') {
    runtime = await officialRuntime({ nodeVersion: ctx.nodeVersion, arch: ctx.arch, cacheDir: ctx.cacheDir, log: ctx.log, integrity: ctx.officialIntegrity, source: ctx.officialSource });
  } else if (req.kind === 'custom') {
    runtime = await customRuntime(req.path, ctx);
  } else {
    throw new BuildError(`the static runtime is not available yet; build it with 'npm run runtime', or use --runtime official`);
  }
  const observed = runtime.arch === hostArch() ? await probeVersion(runtime.path) : undefined;
  if (observed !== undefined && !/^\d+\.\d+\.\d+/.test(observed)) {
    throw new BuildError(`runtime ${runtime.path} answered --version with ${JSON.stringify(observed.split('\n')[0])}: not a Node.js binary`);
  }
  ctx.runtimeRunsHere = observed !== undefined;
  if (observed !== undefined && observed !== runtime.nodeVersion) {
    if (req.kind !== 'custom') throw new BuildError(`runtime ${runtime.path} reports Node ${observed}, expected ${runtime.nodeVersion}`);
    runtime = { ...runtime, nodeVersion: observed };
  }
  ctx.runtime = runtime;
  return `${runtime.kind} Node ${runtime.nodeVersion} linux-${runtime.arch} (${runtime.libc}, ${runtime.allocator})${ctx.runtimeRunsHere ? '' : ' — cannot run on this host'}`;
}

function hostArch(): Arch | undefined {
  return process.arch === 'x64' || process.arch === 'arm64' ? process.arch : undefined;
}
