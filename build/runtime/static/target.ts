import type { Arch } from '../../../shared/toolchain/arch.ts';

/** What changes between the x64 and the arm64 static runtime; everything else is the same code. */
export interface StaticTarget {
  /** Node's name for it: --dest-cpu, runtime file names, `dist --arch`. */
  arch: Arch;
  /** zig cc -target, autotools --host. */
  triple: string;
  /** OpenSSL's ./Configure target. */
  openssl: string;
  /** e_machine as shared/elf names it (the inspector's reader). */
  elfMachine: string;
  /**
   * log2 of the largest kernel page the runtime must run on: jemalloc's --with-lg-page (it aborts
   * on a larger page than it was built for) and the least alignment of the ELF's LOAD segments.
   * Unset: x64, 4K on every kernel (jemalloc keeps configure's probe).
   */
  largestPageLg?: number;
  /** A strip that reads this target's ELF (the host's GNU strip knows x86 only), and its package. */
  strip: string;
  stripPackage: string;
  /** qemu-user name: the binfmt_misc entry that runs this target's programs on another host. */
  qemu: string;
  /**
   * false: link without RELRO. At 64K alignment lld's .relro_padding makes a second RW segment
   * whose memory size exceeds its file size, and postject (LIEF) then finds no way to add the SEA
   * note ("Zero or more than 1 bss-like segment"; docs/static-runtime.md, Known problems).
   */
  relro?: false;
}

export const STATIC_TARGETS: Record<Arch, StaticTarget> = {
  x64: {
    arch: 'x64',
    triple: 'x86_64-linux-musl',
    openssl: 'linux-x86_64',
    elfMachine: 'Advanced Micro Devices X86-64',
    strip: 'strip',
    stripPackage: 'binutils',
    qemu: 'qemu-x86_64',
  },
  arm64: {
    arch: 'arm64',
    triple: 'aarch64-linux-musl',
    openssl: 'linux-aarch64',
    elfMachine: 'AArch64',
    // 64K: Raspberry Pi 5 kernels use 16K pages, RHEL/Oracle arm64 64K; Debian builds its arm64 jemalloc so too.
    largestPageLg: 16,
    strip: 'aarch64-linux-gnu-strip',
    stripPackage: 'binutils-aarch64-linux-gnu',
    qemu: 'qemu-aarch64',
    relro: false,
  },
};

export const STATIC_ARCHES = Object.keys(STATIC_TARGETS) as Arch[];

export function staticTarget(arch: string): StaticTarget {
  const target = STATIC_TARGETS[arch as Arch];
  if (!target) throw new Error(`no static runtime for linux-${arch}: arches are ${STATIC_ARCHES.join(', ')}`);
  return target;
}

/**
 * The target as a stage input. x64 was the only target when its stage hashes were first recorded,
 * so it contributes nothing (JSON drops undefined): every finished x64 stage, the two-hour compile
 * included, stays valid. Any other target is named, so it never reuses an x64 stage dir.
 */
export function targetInput(target: StaticTarget): string | undefined {
  return target.arch === 'x64' ? undefined : target.triple;
}

/** Suffix for directories shared across stages (the Node tree, the sysroot): none for x64, as before. */
export function targetSuffix(target: StaticTarget): string {
  return target.arch === 'x64' ? '' : `-${target.arch}`;
}
