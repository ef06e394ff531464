import { requireHostPrograms } from '../../../shared/toolchain/host-programs.ts';
import { promisedPageSizes } from './page-size.ts';
import type { StaticTarget } from './target.ts';
import { requireTargetExecution } from './target-exec.ts';

/** The host programs a build of `target` needs beyond HOST_TOOLS: its strip, and qemu-user's binary where its runtime is proven on several page sizes (page-size.ts). */
export function targetTools(target: StaticTarget): Record<string, string> {
  const qemu = promisedPageSizes(target).length > 0 ? { [`${target.qemu}-static`]: 'qemu-user-static' } : {};
  return { [target.strip]: target.stripPackage, ...qemu };
}

/** Host programs the build drives, with the Debian package that provides each. */
export const HOST_TOOLS: Record<string, string> = {
  make: 'make',
  ccache: 'ccache',
  cmake: 'cmake',
  ninja: 'ninja-build',
  perl: 'perl',
  '/usr/bin/python3': 'python3',
  readelf: 'binutils',
  strip: 'binutils',
  file: 'file',
  tar: 'tar',
  xz: 'xz-utils',
  bzip2: 'bzip2',
  'apt-get': 'apt',
};

/**
 * Everything a build of `target` needs from the host, checked at once before anything is fetched or
 * detached: the programs (with their packages), the target's strip and the qemu-user its page-size proof runs (a
 * build found it missing only at the verify stage, hours in), and — for a foreign target — a way to run its
 * programs (qemu through binfmt_misc). The toolchain stage checks again, for callers
 * that run the pipeline directly.
 */
export function requireBuildHost(target: StaticTarget): void {
  requireHostPrograms({ ...HOST_TOOLS, ...targetTools(target) });
  requireTargetExecution(target);
}
