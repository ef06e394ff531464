import type { Emulation } from '../emulation.ts';
import type { PreparedVariant } from '../rootfs.ts';

export interface RunRequest {
  variant: PreparedVariant;
  artifact: string;
  args: string[];
  timeoutMs: number;
  /** Native, binfmt (the kernel starts qemu) or qemu bound into the root and started explicitly. */
  emulation: Emulation;
}

export interface RunOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Somewhere to run the artifact inside an image's root: a Docker engine, or unshare + chroot. */
export interface Backend {
  name: 'docker' | 'chroot';
  /** How the artifact runs: isolation and user, as the report states it. */
  describe: string;
  prepare(variant: PreparedVariant): Promise<void>;
  run(req: RunRequest): Promise<RunOutcome>;
}

/** The unprivileged uid/gid every row runs as: numeric, so it works in images with no passwd file. */
export const NOBODY = '65534:65534';
