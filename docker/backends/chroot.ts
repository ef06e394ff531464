import { existsSync } from 'node:fs';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { commandIn } from '../emulation.ts';
import { type Backend, NOBODY, type RunOutcome, type RunRequest } from './backend.ts';

/** Binds `source` read-only onto `target`, recording it so the caller unmounts innermost first. */
async function bindReadOnly(source: string, target: string, mounted: string[]): Promise<void> {
  await execa('mount', ['--bind', source, target]);
  mounted.unshift(target);
  await execa('mount', ['-o', 'remount,bind,ro', target]);
}

/**
 * Runs rows without a Docker engine: the image's unpacked root bind-mounted read-only, the artifact
 * bound onto /broker, then `unshare --net --pid` + `chroot --userspec` as nobody, with an empty environment.
 */
export const chrootBackend: Backend = {
  name: 'chroot',
  describe: `unshare --net --pid + chroot --userspec ${NOBODY}, read-only root bind mount, artifact bound read-only at /broker`,
  async prepare() {
    if (process.getuid?.() !== 0) throw new Error('the chroot backend needs root (mount, chroot); run as root or start a Docker engine');
  },
  // The artifact runs with an empty environment, so unshare gets chroot by absolute path, not via PATH.
  async run(req: RunRequest): Promise<RunOutcome> {
    const mnt = await mkdtemp(join(tmpdir(), 'broker-matrix-root-'));
    const mounted: string[] = [];
    try {
      await bindReadOnly(req.variant.rootfs, mnt, mounted);
      await bindReadOnly(req.artifact, join(mnt, 'broker'), mounted);
      const qemu = req.emulation.qemu;
      if (qemu) await bindReadOnly(qemu.host, join(mnt, qemu.inRoot), mounted);
      const started = performance.now();
      const chroot = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p));
      if (!chroot) throw new Error('chroot not found (coreutils)');
      // chroot --userspec changes uid, which clears unshare's --kill-child death signal; so the run gets its
      // own process group and a timeout SIGKILLs the whole group.
      const sub = execa('unshare', ['--net', '--pid', '--fork', '--kill-child', chroot, `--userspec=${NOBODY}`, mnt, ...commandIn(req.emulation, '/broker', req.args)], {
        reject: false,
        detached: true,
        env: {},
        extendEnv: false,
        cwd: '/',
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (sub.pid) process.kill(-sub.pid, 'SIGKILL');
      }, req.timeoutMs);
      const r = await sub.finally(() => clearTimeout(timer));
      return { exitCode: timedOut ? null : (r.exitCode ?? null), stdout: String(r.stdout), stderr: String(r.stderr), ms: performance.now() - started, timedOut };
    } finally {
      for (const m of mounted) await execa('umount', ['-l', m], { reject: false });
      await rmdir(mnt).catch(() => {});
    }
  },
};
