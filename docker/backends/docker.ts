import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256File } from '../../shared/toolchain/file-hash.ts';
import { commandIn } from '../emulation.ts';
import { DOCKER_PLATFORM, type PreparedVariant } from '../rootfs.ts';
import { type Backend, NOBODY, type RunOutcome, type RunRequest } from './backend.ts';

let serial = 0;

function tagOf(v: PreparedVariant): string {
  return `broker-matrix/${v.image.spec.id}:${v.key}`;
}

export async function dockerAvailable(): Promise<boolean> {
  const r = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000 });
  return r.exitCode === 0;
}

/**
 * Loads a root filesystem tar as a one-layer image whose config names its architecture. `docker import
 * --platform` would be shorter, but engines before 23 record their own architecture whatever is asked,
 * and `docker run --platform linux/arm64` then finds no such image; `docker load` takes the config as written.
 */
async function loadImage(v: PreparedVariant, tag: string): Promise<void> {
  const dir = await mkdtemp(`${v.tar}.load-`);
  try {
    const [os, architecture] = DOCKER_PLATFORM[v.image.arch].split('/');
    const diffId = `sha256:${await sha256File(v.tar)}`;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ architecture, os, config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [tag], Layers: ['layer.tar'] }]));
    await symlink(v.tar, join(dir, 'layer.tar'));
    // tar -h stores the layer itself, streamed into docker load without a second copy on disk.
    await execa('tar', ['-chf', '-', '-C', dir, 'manifest.json', 'config.json', 'layer.tar'], { buffer: false }).pipe('docker', ['load', '--quiet'], { timeout: 300_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs rows with `docker run`: no network, read-only root, unprivileged, the artifact bind-mounted read-only. */
export const dockerBackend: Backend = {
  name: 'docker',
  describe: `docker run --platform (the artifact's) --network none --read-only --user ${NOBODY}, artifact mounted read-only at /broker`,
  async prepare(v) {
    const tag = tagOf(v);
    const exists = await execa('docker', ['image', 'inspect', tag], { reject: false });
    // Images are cached in the local store by content key; load only what is missing.
    if (exists.exitCode !== 0) await loadImage(v, tag);
  },
  async run(req: RunRequest): Promise<RunOutcome> {
    const name = `broker-matrix-${process.pid}-${++serial}`;
    const qemu = req.emulation.qemu ? ['-v', `${req.emulation.qemu.host}:${req.emulation.qemu.inRoot}:ro`] : [];
    const platform = `--platform=${DOCKER_PLATFORM[req.variant.image.arch]}`;
    const started = performance.now();
    const r = await execa(
      'docker',
      ['run', '--rm', '--name', name, platform, '--network', 'none', '--read-only', '--user', NOBODY, '-v', `${req.artifact}:/broker:ro`, ...qemu, tagOf(req.variant), ...commandIn(req.emulation, '/broker', req.args)],
      { reject: false, timeout: req.timeoutMs },
    );
    const ms = performance.now() - started;
    // A killed `docker run` client leaves its container running: remove it so nothing is left behind.
    if (r.timedOut) await execa('docker', ['rm', '-f', name], { reject: false });
    return { exitCode: r.timedOut ? null : (r.exitCode ?? null), stdout: r.stdout, stderr: r.stderr, ms, timedOut: r.timedOut };
  },
};
