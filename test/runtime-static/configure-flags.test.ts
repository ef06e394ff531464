import { describe, expect, it } from 'vitest';
import { baseFlags, distributionSourceFlags, intlFlags, officialTarballFlags, pointerCompressionFlags, SHARED_DEPS, sharedDepFlags } from '../../build/runtime/static/configure-flags.ts';
import type { StaticLib } from '../../build/runtime/static/context.ts';
import { STATIC_TARGETS } from '../../build/runtime/static/target.ts';

const { x64 } = STATIC_TARGETS;

const libs: Record<string, StaticLib> = Object.fromEntries(Object.keys(SHARED_DEPS).map((d) => [d, { includeDir: `/s/include`, libDir: `/s/lib`, libNames: d === 'brotli' ? ['brotlidec', 'brotlienc', 'brotlicommon'] : [d] }]));

describe('configure flags', () => {
  it("always builds fully static without npm/corepack and with ninja, for every target; Intl is --intl's", () => {
    for (const target of Object.values(STATIC_TARGETS)) {
      for (const f of ['--fully-static', '--without-npm', '--without-corepack', '--ninja', `--dest-cpu=${target.arch}`]) {
        expect(baseFlags(target)).toContain(f);
      }
      expect(baseFlags(target).some((f) => f.startsWith('--with-intl'))).toBe(false);
    }
  });

  it("--intl full and small point configure at ICU's source; none builds no ICU", () => {
    expect(intlFlags('full', '/s/icu')).toEqual(['--with-intl=full-icu', '--with-icu-source=/s/icu']);
    expect(intlFlags('small', '/s/icu')).toEqual(['--with-intl=small-icu', '--with-icu-source=/s/icu']);
    expect(intlFlags('none', '/s/icu')).toEqual(['--with-intl=none']);
    expect(distributionSourceFlags(x64, libs, 'full', '/s/icu')).toContain('--with-icu-source=/s/icu');
    expect(distributionSourceFlags(x64, libs, 'none')).toContain('--with-intl=none');
    expect(() => distributionSourceFlags(x64, libs, 'small')).toThrow("--intl small needs ICU's source");
  });

  it("--pointer-compression adds configure's experimental flag; nothing otherwise", () => {
    expect(pointerCompressionFlags(true)).toEqual(['--experimental-enable-pointer-compression']);
    expect(pointerCompressionFlags(false)).toEqual([]);
    expect(pointerCompressionFlags(undefined)).toEqual([]);
    for (const target of Object.values(STATIC_TARGETS)) expect(baseFlags(target).some((f) => f.includes('pointer-compression'))).toBe(false);
  });

  it('mode (b) passes every removed dep as --shared-* with includes, libpath and libnames in link order', () => {
    const flags = distributionSourceFlags(x64, libs, 'full', '/s/icu');
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

  it('mode (a) uses the bundled deps, ICU included: no --shared-* and no ICU source', () => {
    expect(officialTarballFlags(x64, 'full').some((f) => f.startsWith('--shared') || f.startsWith('--with-icu-source'))).toBe(false);
    expect(officialTarballFlags(x64, 'full')).toContain('--fully-static');
    expect(officialTarballFlags(x64, 'full')).toContain('--with-intl=full-icu');
  });
});
