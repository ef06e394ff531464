import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runShell } from './command.ts';
import type { StaticBuildContext } from './context.ts';
import { runStage } from './stage.ts';

/** gyp-next from the node-gyp npm package: Debian removed Node's tools/gyp. */
export async function prepareGyp(ctx: StaticBuildContext): Promise<StaticBuildContext> {
  const source = ctx.sources.gyp!;
  const gypDir = await runStage<string>(
    ctx.stageRoot,
    {
      name: 'gyp',
      inputs: { source: source.input.sha256 },
      run: async ({ dir, log }) => {
        await runShell(`tar xzf '${source.path}' -C '${dir}' package/gyp`, { cwd: dir, log });
        const gyp = join(dir, 'package', 'gyp');
        if (!existsSync(join(gyp, 'pylib', 'gyp', '__init__.py'))) throw new Error(`no pylib/gyp in ${source.path}`);
        await runShell(`/usr/bin/python3 -c "import sys; sys.path.insert(0, 'pylib'); import gyp.common"`, { cwd: gyp, log });
        return gyp;
      },
    },
    ctx.options.report,
  );
  return { ...ctx, gypDir };
}
