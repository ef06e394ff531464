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

/** One Node line's pins: its exact version and the runtime packages made of it. */
export interface NodeLinePin {
  /** The official runtime's version (node-linux-<arch> on npm, nodejs.org). */
  nodeVersion: string;
  /** The static runtime's, when it differs: it is built from Debian's source, whose patch release npm may not carry. */
  staticNodeVersion?: string;
  /** npm integrity (sha512-…) of node-linux-<arch>@nodeVersion. */
  runtimeIntegrity?: Partial<Record<Arch, string>>;
  /** The static runtime (jemalloc, full ICU) `dist --runtime static` fetches when none is cached. */
  staticRuntime?: Partial<Record<Arch, StaticRuntimePin>>;
}

/**
 * package.json → `runtimes`: the default Node line's pins at the top (what every build uses unless the project's
 * seal.node or --node names another line), other lines under `lines.<major>`, and the Zig package.
 */
export interface RuntimePin extends NodeLinePin {
  /** The Node line (major version) these pins are of. */
  line: string;
  /** The Zig toolchain package the static runtime is built with (and the recorder's WebAssembly), fetched when needed. */
  zig: PackagePin;
}

interface RuntimesJson extends NodeLinePin {
  lines?: Record<string, NodeLinePin>;
  zig: PackagePin;
}

/** The static runtime's Node version of a line. */
export function staticNodeVersion(pin: NodeLinePin): string {
  return pin.staticNodeVersion ?? pin.nodeVersion;
}

const TOOLCHAIN_PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** A pin with a missing or malformed field would fetch the wrong thing or verify nothing: refuse it by name. */
function checkPin(pin: unknown, key: string, where: string, hint = ''): void {
  const p = pin as Partial<PackagePin> | null;
  const bad = ['package', 'version', 'integrity'].filter((k) => typeof p?.[k as keyof PackagePin] !== 'string');
  if (bad.length) throw new Error(`${where}: ${key} lacks ${bad.join(', ')}${hint}`);
  if (!p?.integrity?.startsWith('sha512-')) throw new Error(`${where}: ${key}.integrity must be an npm sha512- integrity, got ${p?.integrity}`);
}

export function checkStaticPins(pins: unknown, where: string, key = 'runtimes.staticRuntime'): void {
  if (pins === undefined) return;
  if (typeof pins !== 'object' || pins === null) throw new Error(`${where}: ${key} must be an object of arch → { package, version, integrity }`);
  for (const [arch, pin] of Object.entries(pins)) checkPin(pin, `${key}.${arch}`, where, ' (npm run runtime -- pack prints the pin to paste)');
}

/** The Node line (major version) a version belongs to: "24" for 24.21.0. */
export const nodeLineOf = (version: string) => version.split('.')[0] as string;

function readRuntimes(): RuntimesJson {
  const pkg = JSON.parse(readFileSync(TOOLCHAIN_PACKAGE_JSON, 'utf8')) as { runtimes?: RuntimesJson };
  const where = TOOLCHAIN_PACKAGE_JSON.pathname;
  const r = pkg.runtimes;
  if (!r?.nodeVersion) throw new Error(`${where} has no runtimes.nodeVersion: the toolchain's package.json is incomplete`);
  checkStaticPins(r.staticRuntime, where);
  for (const [line, pin] of Object.entries(r.lines ?? {})) {
    if (!pin?.nodeVersion || nodeLineOf(pin.nodeVersion) !== line) throw new Error(`${where}: runtimes.lines.${line}.nodeVersion must be a Node ${line}.x.y version, got ${pin?.nodeVersion}`);
    checkStaticPins(pin.staticRuntime, where, `runtimes.lines.${line}.staticRuntime`);
  }
  checkPin(r.zig, 'runtimes.zig', where);
  return r;
}

/** The Node lines the toolchain pins, the default first. */
export function nodeLines(): string[] {
  const r = readRuntimes();
  return [nodeLineOf(r.nodeVersion), ...Object.keys(r.lines ?? {}).filter((l) => l !== nodeLineOf(r.nodeVersion))];
}

/** The pins of Node line `line` (a major version, e.g. "24"), or of the default line. */
export function runtimePin(line?: string): RuntimePin {
  const r = readRuntimes();
  const { lines, zig, ...defaults } = r;
  const def = nodeLineOf(r.nodeVersion);
  if (line === undefined || line === def) return { ...defaults, line: def, zig };
  const pinned = lines?.[line];
  if (!pinned) {
    const [first, ...rest] = nodeLines();
    throw new Error(`Node ${line} is not a line the toolchain pins: it pins ${[`${first} (the default)`, ...rest].join(', ')} (package.json → runtimes)`);
  }
  return { ...pinned, line, zig };
}
