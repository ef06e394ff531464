import { execa } from 'execa';
import type { PreparedVariant } from '../rootfs.ts';
import { NOBODY, type Backend, type RunOutcome, type RunRequest } from './backend.ts';

let serial = 0;

function tagOf(v: PreparedVariant): string {
  return `broker-matrix/${v.image.spec.id}:${v.key}`;
}

export async function dockerAvailable(): Promise<boolean> {
  const r = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000 });
  return r.exitCode === 0;
}

/** Runs rows with `docker run`: no network, read-only root, unprivileged, the artifact bind-mounted read-only. */
export const dockerBackend: Backend = {
  name: 'docker',
  describe: `docker run --network none --read-only --user ${NOBODY}, artifact mounted read-only at /broker`,
  async prepare(v) {
    const tag = tagOf(v);
    const exists = await execa('docker', ['image', 'inspect', tag], { reject: false });
    // Images are cached in the local store by content key; import only what is missing.
    if (exists.exitCode !== 0) await execa('docker', ['import', v.tar, tag], { timeout: 300_000 });
  },
  async run(req: RunRequest): Promise<RunOutcome> {
    const name = `broker-matrix-${process.pid}-${++serial}`;
    const started = performance.now();
    const r = await execa(
      'docker',
      ['run', '--rm', '--name', name, '--network', 'none', '--read-only', '--user', NOBODY, '-v', `${req.artifact}:/broker:ro`, tagOf(req.variant), '/broker', ...req.args],
      { reject: false, timeout: req.timeoutMs },
    );
    const ms = performance.now() - started;
    // A killed `docker run` client leaves its container running: remove it so nothing is left behind.
    if (r.timedOut) await execa('docker', ['rm', '-f', name], { reject: false });
    return { exitCode: r.timedOut ? null : (r.exitCode ?? null), stdout: r.stdout, stderr: r.stderr, ms, timedOut: r.timedOut };
  },
};
