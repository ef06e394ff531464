import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import type { Ready } from '../../pipeline.ts';
import { type LoggedCommand, runLogged, runShell } from './command.ts';
import type { StaticBuildContext } from './context.ts';
import { runStage } from './stage.ts';
import { targetInput } from './target.ts';
import { runtimeName } from './verify.ts';

/**
 * Turn ninja's link command for `node` into one that writes elsewhere and links the allocator
 * archives first, whole, so their malloc/free are the definitions the link uses and musl's
 * malloc members are never pulled from libc.a. Throws if the command is not the shape expected.
 */
export function relinkCommand(linkCommand: string, output: string, archives: string[]): string {
  const parts = linkCommand.trim().split(/\s+/);
  const o = parts.findIndex((p, i) => p === '-o' && parts[i + 1] === 'node');
  if (o < 0 || parts.filter((p) => p === '-o').length !== 1) {
    throw new Error(`unexpected link command (no single "-o node"): ${linkCommand.slice(0, 200)}…`);
  }
  parts[o + 1] = output;
  const allocator = archives.length ? ['-Wl,--whole-archive', ...archives, '-Wl,--no-whole-archive'] : [];
  return [...parts.slice(0, 1), ...allocator, ...parts.slice(1)].join(' ');
}

/** The link command with RELRO off (StaticTarget.relro); throws if it has no -z relro to turn off. */
export function withoutRelro(linkCommand: string): string {
  const parts = linkCommand.trim().split(/\s+/);
  if (!parts.includes('-Wl,-z,relro')) throw new Error(`unexpected link command (no -Wl,-z,relro): ${linkCommand.slice(0, 200)}…`);
  return parts.map((p) => (p === '-Wl,-z,relro' ? '-Wl,-z,norelro' : p)).join(' ');
}

/**
 * lld flags zig's driver refuses (it passes --gc-sections, not --icf), so the link runs as zig's own
 * ld.lld line plus these: drop the sections nothing references (V8 compiles -ffunction-sections) and
 * fold identical functions whose address is never taken (=safe reads clang's address-significance
 * tables; =all would also fold functions V8 compares by address). 4.2 MB of Node 24's x64 runtime.
 */
export const LLD_SIZE_FLAGS = ['--gc-sections', '--icf=safe'];

/**
 * The arguments of the ld.lld line zig printed for a link (ZIG_VERBOSE_LINK=1) that wrote `output`.
 * Throws, naming what is missing, if there is no such line. Arguments are separated by spaces, as
 * zig prints them; relinkCommand already assumes no path holds one.
 */
export function lldArguments(printed: string, output: string): string[] {
  const lines = printed.split('\n').filter((l) => l.startsWith('ld.lld '));
  const line = lines.find((l) => l.split(' ').some((a, i, all) => a === '-o' && all[i + 1] === output));
  if (!line) {
    throw new Error(`zig printed no ld.lld line writing ${output} (ZIG_VERBOSE_LINK=1; ${lines.length} ld.lld line(s)): ${printed.slice(0, 300)}`);
  }
  return line.trim().split(' ').slice(1);
}

/**
 * Run a link command of zig's c++/cc driver that writes `output`, then link it again as zig's own
 * ld.lld line plus LLD_SIZE_FLAGS (zig links once to say how; each link takes seconds).
 */
export async function linkSmall(zig: string, command: string, output: string, opts: Omit<LoggedCommand, 'env' | 'onOutput'>): Promise<void> {
  let printed = '';
  const onOutput = (chunk: string) => {
    printed += chunk;
  };
  await runShell(command, { ...opts, env: { ZIG_VERBOSE_LINK: '1' }, onOutput });
  await runLogged(zig, ['ld.lld', ...lldArguments(printed, output), ...LLD_SIZE_FLAGS], opts);
}

export interface LinkResult {
  unstripped: string;
  runtime: string;
  sha256: string;
}

/**
 * Re-link the compiled objects with the chosen allocator (a minute, not the hours of the compile:
 * issue 7 builds jemalloc, mimalloc and musl variants from the same objects), then strip.
 */
export async function linkNode(ctx: Ready<StaticBuildContext, 'nodeTree'>): Promise<string> {
  const outDir = join(ctx.nodeTree, 'out', 'Release');
  const archives = ctx.allocatorArchives ?? [];
  const archiveHashes = await Promise.all(archives.map(sha256File));
  const compiled = await sha256File(join(outDir, 'node'));
  const name = runtimeName(ctx.nodeVersion, ctx.options.allocator, ctx.target.arch, ctx.options.intl, ctx.options.pointerCompression);
  const result = await runStage<LinkResult>(
    ctx.stageRoot,
    {
      name: `link-${ctx.options.allocator}`,
      inputs: { compiled, archives: archiveHashes, v: 2, target: targetInput(ctx.target), relro: ctx.target.relro, lld: LLD_SIZE_FLAGS },
      stillValid: (r) => existsSync(r.runtime),
      sharedDir: ctx.nodeTree,
      run: async ({ dir, log }) => {
        const commands = execFileSync('ninja', ['-C', outDir, '-t', 'commands', 'node'], { encoding: 'utf8', maxBuffer: 256 << 20 })
          .trimEnd()
          .split('\n');
        // The last command links node; relinkCommand names one that is missing or not that shape.
        const linkCommand = commands.at(-1) ?? '';
        const unstripped = join(dir, `${name}.unstripped`);
        const relinked = relinkCommand(linkCommand, unstripped, archives);
        await linkSmall(ctx.toolchain.zig, ctx.target.relro === false ? withoutRelro(relinked) : relinked, unstripped, { cwd: outDir, log, nice: true });
        const runtime = join(dir, name);
        await runLogged(ctx.target.strip, ['--strip-all', '-o', runtime, unstripped], { cwd: dir, log });
        return { unstripped, runtime, sha256: await sha256File(runtime) };
      },
    },
    ctx.options.report,
  );
  ctx.linkedNode = result.unstripped;
  ctx.runtimePath = result.runtime;
  return `${ctx.options.allocator}, stripped: ${result.runtime}`;
}
