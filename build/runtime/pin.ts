/*
 * The toolchain's pins, in its own package.json (this checkout's, or the installed toolchain package's):
 * the Node version every runtime is, the official runtime's npm integrity per arch, and — once published —
 * the static runtime packages per arch. One reader, so the key's name and shape live here only.
 */
import { readFileSync } from 'node:fs';
import type { Arch } from '../../shared/toolchain/arch.ts';

/** An npm package pinned by exact version and the npm integrity of its tarball. */
export interface PackagePin {
  package: string;
  version: string;
  /** npm integrity (sha512-…) of the package tarball. */
  integrity: string;
}

/** A published static runtime package (`npm run runtime -- pack`). */
export type StaticRuntimePin = PackagePin;

export interface RuntimePin {
  nodeVersion: string;
  /** npm integrity (sha512-…) of node-linux-<arch>@nodeVersion. */
  runtimeIntegrity?: Partial<Record<Arch, string>>;
  /** The static runtime (jemalloc, full ICU) `dist --runtime static` fetches when none is cached. */
  staticRuntime?: Partial<Record<Arch, StaticRuntimePin>>;
  /** The Zig toolchain package the static runtime is built with (and the recorder's WebAssembly), fetched when needed. */
  zig: PackagePin;
}

const TOOLCHAIN_PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** A pin with a missing or malformed field would fetch the wrong thing or verify nothing: refuse it by name. */
function checkPin(pin: unknown, key: string, where: string, hint = ''): void {
  const p = pin as Partial<PackagePin> | null;
  const bad = ['package', 'version', 'integrity'].filter((k) => typeof p?.[k as keyof PackagePin] !== 'string');
  if (bad.length) throw new Error(`${where}: ${key} lacks ${bad.join(', ')}${hint}`);
  if (!p?.integrity?.startsWith('sha512-')) throw new Error(`${where}: ${key}.integrity must be an npm sha512- integrity, got ${p?.integrity}`);
}

export function checkStaticPins(pins: unknown, where: string): void {
  if (pins === undefined) return;
  if (typeof pins !== 'object' || pins === null) throw new Error(`${where}: runtimes.staticRuntime must be an object of arch → { package, version, integrity }`);
  for (const [arch, pin] of Object.entries(pins)) checkPin(pin, `runtimes.staticRuntime.${arch}`, where, ' (npm run runtime -- pack prints the pin to paste)');
}

export function runtimePin(): RuntimePin {
  const pkg = JSON.parse(readFileSync(TOOLCHAIN_PACKAGE_JSON, 'utf8')) as { runtimes?: RuntimePin };
  if (!pkg.runtimes?.nodeVersion) throw new Error(`${TOOLCHAIN_PACKAGE_JSON.pathname} has no runtimes.nodeVersion: the toolchain's package.json is incomplete`);
  checkStaticPins(pkg.runtimes.staticRuntime, TOOLCHAIN_PACKAGE_JSON.pathname);
  checkPin(pkg.runtimes.zig, 'runtimes.zig', TOOLCHAIN_PACKAGE_JSON.pathname);
  return pkg.runtimes;
}
