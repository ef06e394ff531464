import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticTarget } from './target.ts';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/**
 * Why this host cannot run the target's programs, or undefined when it can. A foreign target's
 * build tools (torque, mksnapshot, node_mksnapshot, the probes) are target binaries run through
 * binfmt_misc + qemu-user: ninja execs them by path, so the kernel must hand them to qemu.
 */
export function targetExecutionProblem(target: StaticTarget, hostArch: string = process.arch, binfmtDir = BINFMT_DIR): string | undefined {
  if (target.arch === hostArch) return undefined;
  const entry = join(binfmtDir, target.qemu);
  const how = `install qemu-user-static (apt-get install -y qemu-user-static binfmt-support), or as root: mount -t binfmt_misc binfmt_misc ${binfmtDir}; cat /usr/lib/binfmt.d/${target.qemu}.conf > ${binfmtDir}/register`;
  if (!existsSync(entry)) return `linux-${target.arch} programs cannot run on this ${hostArch} host: no ${entry}. ${how}`;
  const state = readFileSync(entry, 'utf8').split('\n')[0]?.trim();
  if (state !== 'enabled') return `${entry} is ${state}: enable it (echo 1 > ${entry})`;
  return undefined;
}

/** Fail before any work when the build would need to run target programs and cannot. */
export function requireTargetExecution(target: StaticTarget): void {
  const problem = targetExecutionProblem(target);
  if (problem) throw new Error(problem);
}
