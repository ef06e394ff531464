import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runShell } from './command.ts';
import type { StaticBuildContext } from './context.ts';
import { runStage } from './stage.ts';

/**
 * Node's configure wants ICU's prebuilt data archive (source/data/in/icudt<major>l.dat) beside the
 * sources; Debian's icu source has the data only as text, as upstream's git does. A host build of
 * ICU (the build machine's cc, its tools only) compiles that text into the archive once; the
 * runtime's ICU code is then compiled by gyp with the target toolchain. The archive is
 * little-endian whatever the target, so x64 and arm64 share this stage.
 */
const HOST_DATA_BUILD = `mkdir -p host-build
cd host-build
CC=cc CXX=c++ CFLAGS=-O1 CXXFLAGS=-O1 "$ICU_SRC/source/configure" --disable-tests --disable-samples --disable-extras \\
  --disable-layoutex --disable-icuio --with-data-packaging=archive --prefix="$PWD/prefix" > configure.out
make -j"$JOBS"`;

export interface IcuSource {
  /** ICU's tree (the directory holding source/), ready for configure's --with-icu-source. */
  dir: string;
  version: string;
  /** The data archive placed in source/data/in. */
  dataFile: string;
}

/** ICU's major version from its own header (the data file's name carries it). */
export function icuMajor(icuDir: string): string {
  const header = readFileSync(join(icuDir, 'source', 'common', 'unicode', 'uvernum.h'), 'utf8');
  const m = /#define U_ICU_VERSION_MAJOR_NUM (\d+)/.exec(header);
  if (!m) throw new Error(`no U_ICU_VERSION_MAJOR_NUM in ${icuDir}/source/common/unicode/uvernum.h`);
  return m[1]!;
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isFile() && e.name === name) return path;
    if (e.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** The icu stage: skipped for --intl none (and in official mode, whose tarball carries ICU). */
export async function prepareIcu(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  if (ctx.options.intl === 'none') return ctx;
  const source = ctx.sources.icu;
  if (!source) throw new Error('the ICU source was not fetched (sources stage)');
  const result = await runStage<IcuSource>(
    ctx.stageRoot,
    {
      name: 'icu',
      inputs: { source: source.input.sha256, script: HOST_DATA_BUILD },
      stillValid: (r) => existsSync(r.dataFile),
      run: async ({ dir, log }) => {
        const icuDir = join(dir, 'icu');
        mkdirSync(icuDir, { recursive: true });
        await runShell(`tar xf '${source.path}' --strip-components=1 -C '${icuDir}'`, { cwd: dir, log });
        const major = icuMajor(icuDir);
        await runShell(HOST_DATA_BUILD, { cwd: dir, log, nice: true, env: { ICU_SRC: icuDir, JOBS: String(ctx.options.jobs) } });
        const name = `icudt${major}l.dat`;
        const built = findFile(join(dir, 'host-build', 'data', 'out'), name);
        if (!built) throw new Error(`the host ICU build made no ${name} under host-build/data/out`);
        const dataFile = join(icuDir, 'source', 'data', 'in', name);
        copyFileSync(built, dataFile);
        await runShell('rm -rf host-build', { cwd: dir, log });
        return { dir: icuDir, version: source.input.version, dataFile };
      },
    },
    ctx.options.report,
  );
  return { ...ctx, icuSource: result.dir };
}
