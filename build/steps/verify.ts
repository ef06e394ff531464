import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { inspectFile } from '../../shared/elf/file.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { artifactName, type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { assetName } from '../project/assets.ts';
import { smokePattern } from '../project/config.ts';
import type { Project } from '../project/project.ts';
import { moduleOnDisk, treeRoot, VIRTUAL_ROOT, virtualPath } from '../project/virtual-paths.ts';

/**
 * What to show of a failing run's stderr: its first line (often only where, "cli.cjs:9"), then from the first line
 * that says what went wrong, at most 10 lines and 1,000 characters, each indented.
 */
export function stderrExcerpt(stderr: string): string {
  const lines = stderr.trim().split('\n');
  // A line that starts so ("TypeError: …", "Error [ERR_MODULE_NOT_FOUND]: …", "error: …"), not the source line
  // Node quotes above it, which often says `throw new Error(`.
  const at = lines.findIndex((l) => /^\s*(\w*Error\b.*:|error:)/.test(l));
  const picked = at > 1 ? [lines[0], '…', ...lines.slice(at)] : lines;
  const text = [...picked.slice(0, 10), ...(picked.length > 10 ? ['…'] : [])].map((l) => `  ${l}`).join('\n');
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/**
 * Files of the package a failed run looked for under the virtual root and did not find (`ENOENT … '/seal/…'`, `Cannot
 * find module '/seal/…'`) that the tree has: what seal.assets should add, by the names it takes. A program that reads its
 * package.json through a helper the build cannot see (rimraf's package-json-from-dist, standard's version-guard) fails so.
 */
export function missingAssets(stderr: string, project: Project): string[] {
  const tree = treeRoot(project);
  const home = virtualPath(tree, project.root);
  const names = new Set<string>();
  for (const [, path] of stderr.matchAll(new RegExp(`(?:ENOENT\\b[^'\\n]*|Cannot find module )'(${VIRTUAL_ROOT}/[^'\\s]+)'`, 'g'))) {
    const file = path === undefined ? undefined : moduleOnDisk(tree, path);
    const name = file === undefined ? undefined : assetName(home, virtualPath(tree, file));
    if (name) names.add(name);
  }
  return [...names];
}

/** Proves the injection took: the blob note is there at full size, the fuse flipped, and the binary answers. */
async function verifyArtifact(ctx: Ready<BuildContext, 'runtime' | 'injected' | 'blob'>): Promise<string> {
  const { injected, blob } = ctx;
  const report = inspectFile(injected);
  if (!report.seaBlob.present) throw new BuildError('after injection the artifact has no NODE_SEA_BLOB note: postject wrote nothing (is there a PT_NOTE segment?)');
  if (report.seaBlob.size !== blob.size) throw new BuildError(`the NODE_SEA_BLOB note holds ${report.seaBlob.size} bytes, the blob has ${blob.size}`);
  if (report.seaFuse !== 'flipped') throw new BuildError(`the SEA fuse is ${report.seaFuse} after injection; Node would ignore the blob`);
  let ran = 'not run (runtime cannot execute on this host)';
  if (ctx.launcher) {
    const { smoke } = ctx.project.config;
    const expected = smoke.stdout === undefined ? undefined : smokePattern(smoke.stdout, { name: ctx.project.packageName, version: ctx.version });
    const [cmd, args] = ctx.launcher.command(injected, smoke.args);
    // In an empty directory of the build's own, with HOME there too: whatever the run writes (create-vite's
    // --version made a project directory; an addon is copied to ~/.cache/<name>, prelude/addons.cjs) goes away
    // with the build instead of into the directory pack was run from or the user's home.
    const scratch = await mkdtemp(join(ctx.workDir, 'smoke-'));
    const [cwd, home] = [join(scratch, 'cwd'), join(scratch, 'home')];
    await Promise.all([mkdir(cwd), mkdir(home)]);
    const res = await execa(cmd, args, { cwd, reject: false, timeout: 60_000, env: { NODE_OPTIONS: '', HOME: home }, extendEnv: false });
    const shown = `'${smoke.args.join(' ')}'`;
    // Any stderr (e.g. "Code cache data rejected", the experimental-SEA warning) is a defect users would see.
    const silent = smoke.printed === true && res.stdout.trim() === '';
    if (res.exitCode !== 0 || (expected && !expected.test(res.stdout.trim())) || res.stderr.trim() !== '' || silent) {
      // Why something on stdout is asked for, said when that is what failed.
      const printed = smoke.printed ? ` and something on stdout${silent ? ' (a binary that prints nothing may not have run the program at all)' : ''}` : '';
      const wanted = `exit 0, nothing on stderr${expected ? ` and stdout matching ${expected}` : printed} (seal.smoke)`;
      // Kept outside workDir, which the build removes, for when the excerpt is not enough.
      const kept = await mkdtemp(join(tmpdir(), 'seal-smoke-'));
      await Promise.all([writeFile(join(kept, 'stdout'), res.stdout), writeFile(join(kept, 'stderr'), res.stderr)]);
      const stderr = res.stderr.trim() ? `; its stderr:\n${stderrExcerpt(res.stderr)}\n` : '; ';
      const missing = missingAssets(res.stderr, ctx.project);
      const assetsHint = missing.length > 0 ? `\nThe program looked for files of its package the build did not embed: add ${missing.map((m) => `"${m}"`).join(', ')} to seal.assets.` : '';
      // Many CLIs have no --version (yaml, ajv-cli) or print something else at start: the check is the project's to name.
      const hint =
        smoke.args.at(-1) === '--version' && smoke.stdout === undefined
          ? `\nIf the program has no --version, or prints to stderr or nothing when it answers, set seal.smoke in package.json to a command it answers cleanly (e.g. "smoke": { "args": ["--help"] }).`
          : '';
      throw new BuildError(
        `the artifact run with ${shown} printed ${JSON.stringify(res.stdout.trim().slice(0, 200))} (exit ${res.exitCode ?? res.signal}); expected ${wanted}${stderr}whole output: ${kept}/stdout and ${kept}/stderr${assetsHint}${hint}`,
      );
    }
    ran = `${shown} → ${JSON.stringify(res.stdout.trim().split('\n')[0]?.slice(0, 60))}${ctx.launcher.emulated ? ` (under ${ctx.launcher.describe})` : ''}`;
  }
  // Only a verified binary reaches the output directory, so dist/ never holds a half-made artifact.
  const name = artifactName(ctx);
  await mkdir(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, name);
  await rename(injected, path);
  ctx.artifact = { ...(await fileFact(path)), name };
  return `blob note ${blob.size} B, fuse flipped, ${ran}`;
}

export const verifyStep = distStep({ name: 'verify', needs: ['runtime', 'injected', 'blob'], run: verifyArtifact });
