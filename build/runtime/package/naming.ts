import type { Arch } from '../../../shared/toolchain/arch.ts';
import type { Allocator, IntlMode } from '../static/context.ts';

/**
 * A static runtime package's name: one per arch × allocator × Intl (what its os/cpu fields and its
 * proofs are about), so a name's versions are interchangeable builds of the same thing.
 */
export function runtimePackageName(arch: Arch, allocator: Allocator, intl: IntlMode): string {
  return `broker-static-runtime-linux-${arch}-${allocator}-intl-${intl}`;
}

/**
 * Its version: Node's version, then the runtime key's hash as a prerelease (22.22.2-k0123456789abcdef).
 * New inputs give a new key, so a new version: a published version is never overwritten, and a pin
 * names exactly one build. npm resolves an exact prerelease like any exact version.
 */
export function runtimePackageVersion(nodeVersion: string, key: string): string {
  const hash = /-([0-9a-f]{16})$/.exec(key)?.[1];
  if (!hash) throw new Error(`runtime key ${JSON.stringify(key)} does not end in a 16-digit hash: not a staticRuntimeKey (build/runtime/static/key.ts)`);
  return `${nodeVersion}-k${hash}`;
}
