import { basename } from 'node:path';
import { hostArch, QEMU, qemuFor } from '../build/runtime/launcher.ts';
import type { Arch } from '../shared/toolchain/arch.ts';
import { registerBinfmt } from './binfmt.ts';

export type EmulationMode = 'auto' | 'binfmt' | 'in-root';

/** How every row of one matrix run starts the artifact on this host. */
export interface Emulation {
  mechanism: 'native' | 'binfmt' | 'qemu-in-root';
  describe: string;
  /** qemu-in-root: the host's static emulator, bound read-only into each root at `inRoot`. */
  qemu?: { host: string; inRoot: string };
}

/** The command a row runs inside the root: the artifact itself, or the emulator in the root given the artifact. */
export function commandIn(emulation: Emulation, program: string, args: string[]): string[] {
  return emulation.qemu ? [emulation.qemu.inRoot, program, ...args] : [program, ...args];
}

/**
 * Chooses how `arch` rows run here: natively on the same arch; else through binfmt_misc when an F-flag
 * entry exists (then no qemu on this host's PATH is needed) or can be registered — the kernel runs qemu,
 * the root is untouched; else, or when asked, by binding qemu-aarch64-static into each root and running
 * the artifact under it. Throws when neither can work.
 */
export async function emulationFor(arch: Arch, mode: EmulationMode): Promise<Emulation> {
  if (arch === hostArch()) return { mechanism: 'native', describe: `native (${arch} host)` };
  const entry = QEMU[arch]?.binfmt;
  if (!entry) throw new Error(`no emulator known for linux-${arch} artifacts`);
  let why = 'asked for --emulation in-root';
  if (mode !== 'in-root') {
    const binfmt = await registerBinfmt(entry);
    if ('describe' in binfmt) return { mechanism: 'binfmt', describe: binfmt.describe };
    if (mode === 'binfmt') throw new Error(`--emulation binfmt: ${binfmt.unavailable}`);
    why = `binfmt unavailable: ${binfmt.unavailable}`;
  }
  const qemu = qemuFor(arch);
  if ('missing' in qemu) throw new Error(`a linux-${arch} artifact: ${qemu.missing}${mode === 'in-root' ? '' : `; ${why}`}`);
  // Static qemu needs nothing from the root; it loads the artifact and its loader from inside it.
  const inRoot = `/${basename(qemu.path)}`;
  return { mechanism: 'qemu-in-root', describe: `${qemu.path} bound read-only at ${inRoot}, runs ${inRoot} /broker (${why})`, qemu: { host: qemu.path, inRoot } };
}
