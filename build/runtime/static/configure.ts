import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runLogged, runShell } from './command.ts';
import { distributionSourceFlags, officialTarballFlags, pointerCompressionFlags } from './configure-flags.ts';
import { fetched, type StaticBuildContext, type StaticPipelineContext } from './context.ts';
import { runStage, stageHash } from './stage.ts';
import { assembleSysroot } from './sysroot.ts';
import { targetSuffix } from './target.ts';
import { applyEdits, applyTreeFixes, editsFor, notSharedFor, treeFixesFor, treeFixInputs } from './tree-fixes.ts';

/**
 * -Wl,--build-id gives the binary a PT_NOTE segment: postject needs one, and without it prints
 * "Injection done!" while injecting nothing. gyp's ninja generator reads LDFLAGS at configure time.
 */
export const LINK_FLAGS = '-Wl,--build-id';

const OPENSSL_TEST_CNF = `# Written by broker's static runtime build (Debian removed deps/openssl).
nodejs_conf = nodejs_init

[nodejs_init]
`;

export interface ConfigureResult {
  tree: string;
  flags: string[];
  /** The hash of this configure's inputs, also written into the tree (CONFIGURED_AS). */
  configuredAs: string;
}

/**
 * Which configure the tree's out/Release was last made by. One tree serves every configure of a Node source and
 * target (--intl full and small, each allocator): a configure's recorded result is valid only while the tree is
 * still configured its way, or its compile would link the other configuration's objects under its name.
 */
const CONFIGURED_AS = join('out', 'Release', 'broker-configured-as');

function configuredAs(tree: string): string | undefined {
  const marker = join(tree, CONFIGURED_AS);
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
}

/**
 * The tree's path depends on the Node source only, not on the flags: Zig's cache keys include
 * absolute source paths, so a re-configure in the same place recompiles V8 from cache, and ninja
 * itself rebuilds only the steps whose command lines changed.
 */
export function nodeTreeDir(ctx: StaticPipelineContext): string {
  return join(ctx.stageRoot, `node-${ctx.nodeVersion}-${fetched(ctx, 'node').input.sha256.slice(0, 12)}${targetSuffix(ctx.target)}`);
}

/** One sysroot per target, at a stable path (see sysroot.ts): x64's stays `sysroot`. */
export function sysrootDir(ctx: StaticPipelineContext): string {
  return join(ctx.stageRoot, `sysroot${targetSuffix(ctx.target)}`);
}

/** The environment configure sees: CC/CXX/AR only (CC_host/CXX_host would make gyp build V8 twice). */
export function configureEnv(ctx: StaticBuildContext): Record<string, string> {
  const tc = ctx.toolchain;
  // An empty pkg-config dir: the host's .pc files (glibc zlib, openssl) must never leak in.
  return { CC: tc.cc, CXX: tc.cxx, AR: tc.ar, LDFLAGS: LINK_FLAGS, PKG_CONFIG_LIBDIR: '/nonexistent', PKG_CONFIG_PATH: '' };
}

/**
 * The configure stage's inputs. The target reaches them through the flags (--dest-cpu) and the
 * environment (its own toolchain dir); the sysroot path is stable, so its contents are hashed
 * through the libs' stage dirs.
 */
export function configureInputs(ctx: StaticBuildContext, flags: string[]): unknown {
  const fixes = sourceFixes(ctx);
  const edits = editsFor(ctx.nodeVersion, ctx.options.intl);
  return {
    node: fetched(ctx, 'node').input.sha256,
    gyp: ctx.gypDir,
    libs: ctx.libs,
    builtins: ctx.builtins ?? {},
    flags,
    env: configureEnv(ctx),
    zig: ctx.toolchain.zigVersion,
    // Only where a version or an Intl mode has them, so Node 22's full-ICU configure keeps its key.
    ...(fixes ? { fixes: treeFixInputs(fixes), donor: fetched(ctx, fixes.donor.source).input.sha256, simdutf: fetched(ctx, 'simdutf').input.sha256 } : {}),
    ...(edits.length > 0 ? { edits } : {}),
  };
}

/** What this build's source lacks beyond --shared-* libraries (tree-fixes.ts): Debian's source only, the official tarball has it all. */
function sourceFixes(ctx: StaticPipelineContext) {
  return ctx.options.sourceMode === 'distribution' ? treeFixesFor(ctx.nodeVersion) : undefined;
}

/**
 * Unpack Node into a fixed directory, put back tools/gyp and the JS builtins Debian removed,
 * and run configure.py with the installed python3 (./configure may pick a pyenv shim).
 */
export async function configureNode(ctx: StaticBuildContext): Promise<string> {
  const node = fetched(ctx, 'node');
  const official = ctx.options.sourceMode === 'official';
  const fixes = sourceFixes(ctx);
  const flags = [
    ...(official ? officialTarballFlags(ctx.target, ctx.options.intl) : distributionSourceFlags(ctx.target, assembleSysroot(sysrootDir(ctx), ctx.libs), ctx.options.intl, ctx.icuSource, notSharedFor(fixes))),
    ...pointerCompressionFlags(ctx.options.pointerCompression),
  ];
  const builtins = ctx.builtins ?? {};
  const inputs = configureInputs(ctx, flags);
  const result = await runStage<ConfigureResult>(
    ctx.stageRoot,
    {
      name: 'configure',
      inputs,
      stillValid: (r) => existsSync(join(r.tree, 'out', 'Release', 'build.ninja')) && r.configuredAs !== undefined && configuredAs(r.tree) === r.configuredAs,
      sharedDir: nodeTreeDir(ctx),
      run: async ({ dir, log }) => {
        const tree = nodeTreeDir(ctx);
        const unpacked = join(tree, '.unpacked');
        if (!existsSync(unpacked)) {
          rmSync(tree, { recursive: true, force: true });
          mkdirSync(tree, { recursive: true });
          await runShell(`tar xf '${node.path}' --strip-components=1 -C '${tree}'`, { cwd: dir, log });
          writeFileSync(unpacked, `${node.input.sha256}\n`);
        }
        if (ctx.gypDir) cpSync(ctx.gypDir, join(tree, 'tools', 'gyp'), { recursive: true });
        for (const [rel, file] of Object.entries(builtins)) {
          const to = join(tree, 'deps', rel);
          mkdirSync(dirname(to), { recursive: true });
          cpSync(file, to);
        }
        if (fixes) for (const line of await applyTreeFixes(ctx, fixes, tree, dir, log)) ctx.options.report(`[configure] ${line}`);
        for (const line of applyEdits(tree, editsFor(ctx.nodeVersion, ctx.options.intl))) ctx.options.report(`[configure] ${line}`);
        // node.gyp copies this file for its FIPS tests even with a shared OpenSSL; Debian removed
        // deps/openssl, and the runtime never reads the copy.
        const testCnf = join(tree, 'deps', 'openssl', 'nodejs-openssl.cnf');
        if (!existsSync(testCnf)) {
          mkdirSync(dirname(testCnf), { recursive: true });
          writeFileSync(testCnf, OPENSSL_TEST_CNF);
        }
        await runLogged('/usr/bin/python3', ['configure.py', ...flags], { cwd: tree, log, env: configureEnv(ctx) });
        if (!existsSync(join(tree, 'out', 'Release', 'build.ninja'))) throw new Error('configure wrote no out/Release/build.ninja');
        const stamp = stageHash(inputs);
        writeFileSync(join(tree, CONFIGURED_AS), `${stamp}\n`);
        return { tree, flags, configuredAs: stamp };
      },
    },
    ctx.options.report,
  );
  ctx.nodeTree = result.tree;
  ctx.configureFlags = result.flags;
  return `${result.flags.length} flags, tree ${result.tree}`;
}
