import { spawnSync } from 'node:child_process';
import type { StaticTarget } from './target.ts';
import { requireTargetExecution } from './target-exec.ts';

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

/** Fail before any work with the list of missing programs and the apt-get line that installs them. */
export function requireHostTools(tools: Record<string, string> = HOST_TOOLS): void {
  const missing = Object.entries(tools).filter(([t]) => spawnSync('sh', ['-c', `command -v '${t}'`]).status !== 0);
  if (missing.length) {
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    throw new Error(`missing host programs: ${missing.map(([t]) => t).join(', ')} — install with: apt-get install -y ${pkgs}`);
  }
}

/**
 * Everything a build of `target` needs from the host, checked at once before anything is fetched or
 * detached: the programs (with their packages), the target's strip, and — for a foreign target — a
 * way to run its programs (qemu through binfmt_misc). The toolchain stage checks again, for callers
 * that run the pipeline directly.
 */
export function requireBuildHost(target: StaticTarget): void {
  requireHostTools({ ...HOST_TOOLS, [target.strip]: target.stripPackage });
  requireTargetExecution(target);
}
