/*
 * The toolchain's pins, in its own package.json (this checkout's, or the installed toolchain package's):
 * the Node version every runtime is, the official runtime's npm integrity per arch, and — once published —
 * the static runtime packages per arch. One reader, so the key's name and shape live here only.
 */
import { readFileSync } from 'node:fs';
import type { Arch } from '../../shared/toolchain/arch.ts';

export interface RuntimePin {
  nodeVersion: string;
  /** npm integrity (sha512-…) of node-linux-<arch>@nodeVersion. */
  runtimeIntegrity?: Partial<Record<Arch, string>>;
}

const TOOLCHAIN_PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export function runtimePin(): RuntimePin {
  const pkg = JSON.parse(readFileSync(TOOLCHAIN_PACKAGE_JSON, 'utf8')) as { broker?: RuntimePin };
  if (!pkg.broker?.nodeVersion) throw new Error(`${TOOLCHAIN_PACKAGE_JSON.pathname} has no broker.nodeVersion: the toolchain's package.json is incomplete`);
  return pkg.broker;
}
