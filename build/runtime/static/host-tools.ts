import { spawnSync } from 'node:child_process';

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
