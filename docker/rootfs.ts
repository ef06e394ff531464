import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../shared/toolchain/arch.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import { type ImageSpec, type OfflineRecipe, removedIn, type Variant } from './images.ts';

export class ImageError extends Error {
  override name = 'ImageError';
}

export interface PreparedImage {
  spec: ImageSpec;
  arch: Arch;
  source: 'registry' | 'local';
  /** Exactly what ran: the registry reference, or the stand-in's own short name and description. */
  name: string;
  label: string;
  dir: string;
  tar: string;
}

export interface PreparedVariant {
  image: PreparedImage;
  variant: Variant;
  tar: string;
  /** The unpacked root filesystem: read for facts, and the chroot backend runs in it. */
  rootfs: string;
  /** Members taken out for this variant. */
  removed: string[];
  /** Content key: the same files give the same key, and the same local Docker image tag. */
  key: string;
}

export interface ImageContext {
  cacheDir: string;
  log: Logger;
  dockerAvailable: boolean;
  mirror: string;
}

const MOUNT_POINT = 'broker';

// Debian's and Docker's names for the artifact's architectures.
const DEBIAN_ARCH: Record<Arch, string> = { x64: 'amd64', arm64: 'arm64' };
export const DOCKER_PLATFORM: Record<Arch, string> = { x64: 'linux/amd64', arm64: 'linux/arm64' };

/** Runs a slow command with an elapsed-time ticker, its output kept for the error message. */
async function slow(log: Logger, what: string, cmd: string, args: string[], opts: { timeout?: number; cwd?: string } = {}): Promise<void> {
  const started = Date.now();
  const ticker = setInterval(() => log.progress(`  ${what}: ${Math.round((Date.now() - started) / 1000)} s`), 1000);
  try {
    await execa(cmd, args, { timeout: opts.timeout ?? 600_000, all: true, cwd: opts.cwd });
  } catch (err) {
    const e = err as { all?: string; shortMessage?: string; code?: string };
    const hint = e.code === 'ENOENT' ? ` (${cmd} is not installed: apt-get install ${cmd === 'docker' ? 'docker.io' : cmd})` : '';
    throw new ImageError(`${what} failed${hint}: ${e.shortMessage ?? err}\n${(e.all ?? '').split('\n').slice(-15).join('\n')}`);
  } finally {
    clearInterval(ticker);
  }
  log.info(`  ${what}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function buildLocal(recipe: OfflineRecipe, arch: Arch, tar: string, ctx: ImageContext, id: string): Promise<void> {
  const work = await mkdtemp(`${tar}.work-`);
  try {
    const root = join(work, 'root');
    await mkdir(root);
    const architectures = `--architectures=${DEBIAN_ARCH[arch]}`;
    if (recipe.kind === 'mmdebstrap') {
      // A foreign minbase runs its maintainer scripts under qemu: mmdebstrap needs binfmt (and arch-test) for that.
      const typical = arch === 'x64' ? 'typically ~15 s' : 'maintainer scripts under binfmt qemu, typically ~3.5 min';
      await slow(
        ctx.log,
        `building ${id} (mmdebstrap ${recipe.suite} ${recipe.variant} ${DEBIAN_ARCH[arch]}, ${typical})`,
        'mmdebstrap',
        ['--variant', recipe.variant, architectures, '--quiet', recipe.suite, join(work, 'base.tar'), ctx.mirror],
        { timeout: 1_200_000 },
      );
      await execa('tar', ['-xf', join(work, 'base.tar'), '-C', root, '--exclude=./dev/*']);
    } else if (recipe.kind === 'extract') {
      const what = `extracting ${recipe.packages.join(', ')} (${recipe.suite} ${DEBIAN_ARCH[arch]}) for ${id}`;
      await slow(ctx.log, what, 'mmdebstrap', ['--variant=extract', architectures, `--include=${recipe.packages.join(',')}`, '--quiet', recipe.suite, join(work, 'base.tar'), ctx.mirror], { timeout: 300_000 });
      await execa('tar', ['-xf', join(work, 'base.tar'), '-C', root, '--exclude=./dev/*']);
      for (const applet of recipe.busyboxApplets) await symlink('busybox', join(root, 'bin', applet));
    }
    // A file to bind the artifact onto, so read-only roots and the chroot backend need no writes.
    await writeFile(join(root, MOUNT_POINT), '');
    await execa('tar', ['--numeric-owner', '-cf', `${tar}.partial`, '-C', root, '.']);
    await rename(`${tar}.partial`, tar);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function pullRegistry(ref: string, arch: Arch, tar: string, ctx: ImageContext): Promise<void> {
  const platform = `--platform=${DOCKER_PLATFORM[arch]}`;
  await slow(ctx.log, `docker pull ${platform} ${ref}`, 'docker', ['pull', '--quiet', platform, ref], { timeout: 300_000 });
  const { stdout: cid } = await execa('docker', ['create', platform, ref, '/broker']);
  try {
    await execa('docker', ['export', '-o', `${tar}.partial`, cid.trim()]);
  } finally {
    await execa('docker', ['rm', '-f', cid.trim()], { reject: false });
  }
  await rename(`${tar}.partial`, tar);
}

function keyOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** Gets an image's root filesystem for `arch` as a tar in the cache: pulled when online, else built from its recipe. */
export async function prepareImage(spec: ImageSpec, arch: Arch, mode: 'online' | 'offline' | 'auto', ctx: ImageContext): Promise<PreparedImage | { unavailable: string }> {
  const reasons: string[] = [];
  // x64 cache entries keep the names they had before arm64 rows existed, so existing caches stay valid.
  const prefix = arch === 'x64' ? spec.id : `${spec.id}-${arch}`;
  const suffix = arch === 'x64' ? '' : ` (${DOCKER_PLATFORM[arch]})`;
  if (spec.online && mode !== 'offline') {
    if (!ctx.dockerAvailable) reasons.push(`${spec.online} needs a Docker engine to pull`);
    else {
      const dir = join(ctx.cacheDir, 'images', `${prefix}-registry-${keyOf(spec.online)}`);
      const tar = join(dir, 'rootfs.tar');
      try {
        if (!existsSync(tar)) {
          await mkdir(dir, { recursive: true });
          await pullRegistry(spec.online, arch, tar, ctx);
        }
        return { spec, arch, source: 'registry', name: `${spec.online}${suffix}`, label: `${spec.online}${suffix}`, dir, tar };
      } catch (err) {
        if (mode === 'online') throw err;
        reasons.push(`${spec.online}: registry unreachable`);
      }
    }
  }
  if (spec.offline && mode !== 'online') {
    const dir = join(ctx.cacheDir, 'images', `${prefix}-local-${keyOf(JSON.stringify(spec.offline.recipe), ctx.mirror)}`);
    const tar = join(dir, 'rootfs.tar');
    if (!existsSync(tar)) {
      await mkdir(dir, { recursive: true });
      await buildLocal(spec.offline.recipe, arch, tar, ctx, spec.id);
    }
    const name = arch === 'x64' ? spec.offline.name : `${spec.offline.name}-${arch}`;
    return { spec, arch, source: 'local', name, label: `${spec.offline.label}${suffix}`, dir, tar };
  }
  if (!spec.offline) reasons.push('no local stand-in can be built here');
  return { unavailable: reasons.join('; ') };
}

/**
 * The image with a variant's files removed, as a tar, an unpacked root and a content key. `mountPoints`
 * are files (beyond /broker) a backend binds something onto, such as qemu for the qemu-in-root rows.
 */
export async function prepareVariant(image: PreparedImage, variant: Variant, mountPoints: string[] = []): Promise<PreparedVariant> {
  const { stdout } = await execa('tar', ['-tf', image.tar], { maxBuffer: 256 * 2 ** 20 });
  const removed = stdout.split('\n').filter((m) => m && removedIn(variant, m));
  const tar = variant === 'as-shipped' ? image.tar : join(image.dir, `${variant}.tar`);
  if (variant !== 'as-shipped' && !existsSync(tar)) {
    await copyFile(image.tar, `${tar}.partial`);
    if (removed.length) await execa('tar', ['--delete', '-f', `${tar}.partial`, ...removed]);
    await rename(`${tar}.partial`, tar);
  }
  const rootfs = join(image.dir, variant);
  if (!existsSync(join(rootfs, '.unpacked'))) {
    await rm(rootfs, { recursive: true, force: true });
    await mkdir(rootfs, { recursive: true });
    await execa('tar', ['-xf', tar, '-C', rootfs, '--exclude=./dev/*', '--exclude=dev/*']);
    await writeFile(join(rootfs, '.unpacked'), '');
  }
  // Registry exports carry no mount point; give every root the ones its backend binds onto.
  for (const point of [MOUNT_POINT, ...mountPoints]) if (!existsSync(join(rootfs, point))) await writeFile(join(rootfs, point), '');
  // The image dir's name already carries the recipe or registry reference hash.
  const key = keyOf(basename(image.dir), variant);
  return { image, variant, tar, rootfs, removed, key };
}
