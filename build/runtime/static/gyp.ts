import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runShell } from './command.ts';
import { fetched, type StaticPipelineContext } from './context.ts';
import { runStage } from './stage.ts';

/** gyp-next from the node-gyp npm package: Debian removed Node's tools/gyp. */
export async function prepareGyp(ctx: StaticPipelineContext): Promise<string> {
  const source = fetched(ctx, 'gyp');
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
  ctx.gypDir = gypDir;
  return `tools/gyp from node-gyp ${source.input.version}`;
}
