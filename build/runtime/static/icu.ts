import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captures } from '../../../shared/checked.ts';
import { runShell } from './command.ts';
import type { StaticPipelineContext } from './context.ts';
import { runStage } from './stage.ts';

export interface IcuSource {
  /** ICU's tree (the directory holding source/), ready for configure's --with-icu-source. */
  dir: string;
  version: string;
  /** The data archive in source/data/in. */
  dataFile: string;
}

/** ICU's major version from its own header (the data file's name carries it). */
export function icuMajor(icuDir: string): string {
  const header = readFileSync(join(icuDir, 'source', 'common', 'unicode', 'uvernum.h'), 'utf8');
  const m = /#define U_ICU_VERSION_MAJOR_NUM (\d+)/.exec(header);
  if (!m) throw new Error(`no U_ICU_VERSION_MAJOR_NUM in ${icuDir}/source/common/unicode/uvernum.h`);
  const [major] = captures(m, 1);
  return major;
}

/**
 * ICU's source for Node's configure (--with-icu-source): unpacked once into a stage dir. Node wants
 * the prebuilt data archive source/data/in/icudt<major>l.dat beside the sources; upstream's source
 * release (which Debian's orig tarball is) carries it, so nothing is built here. The archive is
 * little-endian whatever the target, so x64 and arm64 share this stage. Skipped for --intl none
 * (and in official mode, whose tarball carries ICU).
 */
export async function prepareIcu(ctx: StaticPipelineContext): Promise<string> {
  if (ctx.options.intl === 'none') return 'none (--intl none)';
  const source = ctx.sources.icu;
  if (!source) throw new Error('the ICU source was not fetched (sources stage)');
  const result = await runStage<IcuSource>(
    ctx.stageRoot,
    {
      name: 'icu',
      inputs: { source: source.input.sha256 },
      stillValid: (r) => existsSync(r.dataFile),
      run: async ({ dir, log }) => {
        const icuDir = join(dir, 'icu');
        mkdirSync(icuDir, { recursive: true });
        await runShell(`tar xf '${source.path}' --strip-components=1 -C '${icuDir}'`, { cwd: dir, log });
        const dataFile = join(icuDir, 'source', 'data', 'in', `icudt${icuMajor(icuDir)}l.dat`);
        if (!existsSync(dataFile)) throw new Error(`${source.path} has no prebuilt data archive (${dataFile}): Node's configure needs one`);
        return { dir: icuDir, version: source.input.version, dataFile };
      },
    },
    ctx.options.report,
  );
  ctx.icuSource = result.dir;
  return `ICU ${result.version}`;
}
