import { existsSync } from 'node:fs';
import { readElfFile } from '../../shared/elf/file.ts';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { STATIC_ARCHES, STATIC_TARGETS } from './static/target.ts';

/** How this host executes a runtime: natively, or under qemu-user for another architecture. */
export interface Launcher {
  emulated: boolean;
  describe: string;
  /** The command line that runs `binary args…` on this host. */
  command(binary: string, args: string[]): [string, string[]];
}

/** Per foreign arch: the qemu-user binary, the cross sysroot, and the binfmt_misc entry name Debian's
 * qemu-user-static registers (/usr/lib/binfmt.d/<name>.conf; docker/setup-qemu-action uses the same name). */
export const QEMU: Partial<Record<Arch, { qemu: string; sysroot: string; binfmt: string }>> = {
  arm64: { qemu: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', binfmt: 'qemu-aarch64' },
};

export function hostArch(): Arch | undefined {
  return process.arch === 'x64' || process.arch === 'arm64' ? process.arch : undefined;
}

function onPath(cmd: string): string | undefined {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .map((d) => `${d}/${cmd}`)
    .find((p) => existsSync(p));
}

/** The qemu-user emulator that runs `arch` binaries on this host, or what to install. */
export function qemuFor(arch: Arch): { path: string } | { missing: string } {
  const q = QEMU[arch];
  const path = q && onPath(q.qemu);
  if (!path) return { missing: `running a linux-${arch} binary here needs ${q?.qemu ?? 'an emulator'} (apt-get install qemu-user-static)` };
  return { path };
}

/**
 * A launcher for `arch`, or why there is none. A dynamic (glibc) runtime under qemu also needs the
 * target's loader and libraries: Debian's libc6-arm64-cross + libstdc++6-arm64-cross give that sysroot.
 */
export function launcherFor(arch: Arch, dynamic: boolean): Launcher | { missing: string } {
  if (arch === hostArch()) return { emulated: false, describe: 'native', command: (b, a) => [b, a] };
  const found = qemuFor(arch);
  const q = QEMU[arch];
  if ('missing' in found || !q) return 'missing' in found ? found : { missing: `no emulator for linux-${arch}` };
  const qemu = found.path;
  if (dynamic && !existsSync(`${q.sysroot}/lib/ld-linux-aarch64.so.1`)) {
    return { missing: `a dynamic linux-${arch} runtime under qemu needs the ${q.sysroot} sysroot (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)` };
  }
  const sysroot = dynamic ? ['-L', q.sysroot] : [];
  return { emulated: true, describe: `${q.qemu}${dynamic ? ` -L ${q.sysroot}` : ''}`, command: (b, a) => [qemu, [...sysroot, b, ...a]] };
}

/** The arch whose runtimes have this e_machine (as shared/elf names it), or undefined: neither x64 nor arm64. */
export function archOfMachine(machine: string): Arch | undefined {
  return STATIC_ARCHES.find((a) => STATIC_TARGETS[a].elfMachine === machine);
}

/** What a runtime binary is, read from its ELF header: its arch, and whether it needs a loader. */
export function binaryFacts(path: string): { arch: Arch; dynamic: boolean } {
  const elf = readElfFile(path);
  const arch = archOfMachine(elf.header.machine);
  if (!arch) throw new Error(`${path} is a ${elf.header.machine} executable: runtimes are linux-x64 or linux-arm64`);
  return { arch, dynamic: elf.interpreter !== null };
}
