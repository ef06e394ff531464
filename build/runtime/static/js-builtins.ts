import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { runLogged, runShell } from './command.ts';
import { fetched, type StaticPipelineContext } from './context.ts';
import { sourcesFor } from './sources.ts';
import { runStage } from './stage.ts';

/** The JS builtins Debian removes, in the order their sources key the stage; a Node version pins those it bundles. */
const BUILTIN_PACKAGES = ['undici', 'acorn', 'acorn-walk', 'cjs-module-lexer', 'minimatch', 'amaro'] as const;
type BuiltinPackage = (typeof BUILTIN_PACKAGES)[number];

/**
 * The JS builtins Debian removed, placed back at the deps/ paths Node's js2c embeds them from.
 * Not --shared-builtin-*-path: that option makes node read the file from that path at RUN time,
 * which a single static executable cannot rely on.
 */
export async function prepareJsBuiltins(ctx: StaticPipelineContext): Promise<string> {
  const pinned = sourcesFor(ctx.nodeVersion);
  const sources = BUILTIN_PACKAGES.filter((pkg) => pkg in pinned).map((pkg) => ({ pkg, source: fetched(ctx, pkg) }));
  const has = (pkg: BuiltinPackage) => sources.some((s) => s.pkg === pkg);
  const builtins = await runStage<Record<string, string>>(
    ctx.stageRoot,
    {
      name: 'js-builtins',
      inputs: { sources: sources.map((s) => s.source.input.sha256), v: 1 },
      run: async ({ dir, log }) => {
        const unpacked = (p: BuiltinPackage) => join(dir, 'pkg', p);
        for (const { pkg, source } of sources) {
          mkdirSync(unpacked(pkg), { recursive: true });
          await runShell(`tar xzf '${source.path}' --strip-components=1 -C '${unpacked(pkg)}'`, { cwd: dir, log });
        }
        const out = join(dir, 'deps');
        const files: Record<string, string> = {};
        const place = (rel: string, from: string) => {
          const to = join(out, rel);
          mkdirSync(dirname(to), { recursive: true });
          copyFileSync(from, to);
          files[rel] = to;
        };
        place('acorn/acorn/dist/acorn.js', join(unpacked('acorn'), 'dist/acorn.js'));
        place('acorn/acorn-walk/dist/walk.js', join(unpacked('acorn-walk'), 'dist/walk.js'));
        // Node 22 only: 24 parses CommonJS exports in C++ (deps/merve).
        if (has('cjs-module-lexer')) {
          place('cjs-module-lexer/lexer.js', join(unpacked('cjs-module-lexer'), 'lexer.js'));
          place('cjs-module-lexer/dist/lexer.js', join(unpacked('cjs-module-lexer'), 'dist/lexer.js'));
        }
        place('amaro/dist/index.js', join(unpacked('amaro'), 'dist/index.js'));

        // undici: its own build:node recipe (bundle index-fetch.js, keep names), then its comment stripper.
        const undici = unpacked('undici');
        await build({
          entryPoints: [join(undici, 'index-fetch.js')],
          bundle: true,
          platform: 'node',
          outfile: join(undici, 'undici-fetch.js'),
          define: { esbuildDetection: '1' },
          keepNames: true,
          logLevel: 'silent',
        });
        if (existsSync(join(undici, 'scripts/strip-comments.js'))) {
          await runLogged(process.execPath, ['scripts/strip-comments.js'], { cwd: undici, log });
        }
        place('undici/undici.js', join(undici, 'undici-fetch.js'));

        // minimatch: its runtime dependency comes from npm (integrity-checked), then one bundle
        // exactly as Node's tools/dep_updaters/update-minimatch.sh makes it.
        const mm = unpacked('minimatch');
        await runLogged('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: mm, log });
        await build({
          entryPoints: [join(mm, 'dist/commonjs/index.js')],
          bundle: true,
          platform: 'node',
          outfile: join(mm, 'index.js'),
          logLevel: 'silent',
        });
        place('minimatch/index.js', join(mm, 'index.js'));
        for (const f of Object.values(files)) {
          if (readFileSync(f).length === 0) throw new Error(`${f} is empty`);
        }
        return files;
      },
    },
    ctx.options.report,
  );
  ctx.builtins = builtins;
  return `${Object.keys(builtins).length} builtins placed`;
}
