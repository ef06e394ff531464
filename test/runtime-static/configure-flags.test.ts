import { describe, expect, it } from 'vitest';
import { baseFlags, distributionSourceFlags, officialTarballFlags, SHARED_DEPS, sharedDepFlags } from '../../build/runtime/static/configure-flags.ts';
import type { StaticLib } from '../../build/runtime/static/context.ts';
import { STATIC_TARGETS } from '../../build/runtime/static/target.ts';

const { x64 } = STATIC_TARGETS;

const libs: Record<string, StaticLib> = Object.fromEntries(
  Object.keys(SHARED_DEPS).map((d) => [d, { includeDir: `/s/include`, libDir: `/s/lib`, libNames: d === 'brotli' ? ['brotlidec', 'brotlienc', 'brotlicommon'] : [d] }]),
);

describe('configure flags', () => {
  it('always builds fully static without npm/corepack/ICU and with ninja, for every target', () => {
    for (const target of Object.values(STATIC_TARGETS)) {
      for (const f of ['--fully-static', '--without-npm', '--without-corepack', '--with-intl=none', '--ninja', `--dest-cpu=${target.arch}`]) {
        expect(baseFlags(target)).toContain(f);
      }
    }
  });

  it('mode (b) passes every removed dep as --shared-* with includes, libpath and libnames in link order', () => {
    const flags = distributionSourceFlags(x64, libs);
    expect(flags).toContain('--shared-http-parser');
    expect(flags).toContain('--shared-http-parser-libname=llhttp');
    expect(flags).toContain('--shared-brotli-libname=brotlidec,brotlienc,brotlicommon');
    expect(flags).toContain('--shared-openssl-includes=/s/include');
    expect(flags.filter((f) => /^--shared-[a-z0-9-]+$/.test(f))).toHaveLength(Object.keys(SHARED_DEPS).length);
    expect(flags.some((f) => f.startsWith('--shared-builtin-'))).toBe(false);
  });

  it('refuses to configure when a removed dep was not built', () => {
    const { zstd: _missing, ...rest } = libs;
    expect(() => sharedDepFlags(rest)).toThrow('--shared-zstd: dependency "zstd" was not built');
  });

  it('mode (a) uses the bundled deps: no --shared-* at all', () => {
    expect(officialTarballFlags(x64).some((f) => f.startsWith('--shared'))).toBe(false);
    expect(officialTarballFlags(x64)).toContain('--fully-static');
  });
});
