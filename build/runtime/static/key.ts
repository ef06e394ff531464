import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transformSync } from 'esbuild';
import { baseFlags, intlFlags, pointerCompressionFlags, SHARED_DEPS } from './configure-flags.ts';
import type { Allocator, IntlMode, SourceMode } from './context.ts';
import { sourcesFor } from './sources.ts';
import { stageHash } from './stage.ts';
import { staticTarget } from './target.ts';
import { COMPILE_FLAGS_AFTER, compileFlagsBefore, zigPin } from './toolchain.ts';

function driverFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? driverFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * A driver file's hash over its code as it runs: comments, types and layout left out (esbuild strips them), so a
 * comment that gains a measurement is no new runtime — CI rebuilds one for each new key, hours on 2 cores.
 */
export function driverCodeHash(source: string): string {
  return stageHash(transformSync(source, { loader: 'ts', minifyWhitespace: true, legalComments: 'none' }).code);
}

/** What a pointer-compressed runtime's names end in (its cache dir, key and package); '' for the default. */
export function pointerCompressionSuffix(pointerCompression: boolean | undefined): string {
  return pointerCompression ? '-pointer-compression' : '';
}

/**
 * A cache key for a finished static runtime (CI caches the runtime under it): Node version, every
 * pinned source's sha256, the Zig package's pinned integrity, the target triple, configure and
 * compile flags, the allocator, the Intl mode, and the driver's own code (its recipes are inputs too; its comments
 * are not). Equal inputs, equal key; each arch has its own.
 */
export function staticRuntimeKey(o: { root: string; nodeVersion: string; arch: string; allocator: Allocator; intl: IntlMode; sourceMode: SourceMode; pointerCompression?: boolean }): string {
  const target = staticTarget(o.arch);
  const zig = zigPin();
  const dir = join(o.root, 'build', 'runtime', 'static');
  const driver = Object.fromEntries(
    driverFiles(dir)
      .sort()
      .map((f) => [relative(dir, f), driverCodeHash(readFileSync(f, 'utf8'))]),
  );
  const inputs = {
    nodeVersion: o.nodeVersion,
    arch: o.arch,
    allocator: o.allocator,
    intl: o.intl,
    sourceMode: o.sourceMode,
    sources: Object.fromEntries(Object.entries(sourcesFor(o.nodeVersion)).map(([k, s]) => [k, s.sha256])),
    toolchain: { package: zig.package, version: zig.version, integrity: zig.integrity, target: target.triple, flags: [...compileFlagsBefore(target), ...COMPILE_FLAGS_AFTER] },
    configure: { base: baseFlags(target), intl: intlFlags(o.intl), shared: SHARED_DEPS },
    driver,
    // Only when asked for, so the default runtime keeps its key.
    ...(o.pointerCompression ? { pointerCompression: pointerCompressionFlags(true) } : {}),
  };
  return `broker-static-runtime-${o.nodeVersion}-linux-${o.arch}-${o.allocator}-intl-${o.intl}${pointerCompressionSuffix(o.pointerCompression)}-${stageHash(inputs)}`;
}
