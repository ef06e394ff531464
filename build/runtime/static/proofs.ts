import { execFileSync } from 'node:child_process';
import { assertAllocator } from './allocator-proof.ts';
import type { Allocator, IntlMode } from './context.ts';
import { assertStatic } from './elf-check.ts';
import { assertIntl } from './intl-proof.ts';
import { pageSizeProblem } from './page-size.ts';
import { assertPointerCompression } from './pointer-compression-proof.ts';
import type { StaticTarget } from './target.ts';
import { targetExecutionProblem } from './target-exec.ts';

export interface RuntimeClaims {
  target: StaticTarget;
  nodeVersion: string;
  allocator: Allocator;
  intl: IntlMode;
  /** Built with V8 pointer compression (the runtime's name says so); absent: without. */
  pointerCompression?: boolean;
}

/**
 * What a static runtime must prove before it enters the cache, whether it was built here or fetched
 * as a package: static and for the target's machine (no PT_INTERP, no DT_NEEDED, a PT_NOTE for
 * postject), `--version` is the expected Node, the expected allocator prints its statistics, its Intl
 * is the one asked for, and — for a target whose kernels differ in page size — it starts on every page
 * size it promises. A foreign target's binary runs through binfmt_misc + qemu. Throws naming the failed claim.
 */
export function proveRuntime(binary: string, claims: RuntimeClaims): { version: string; icu: string | null } {
  const { target, nodeVersion, allocator, intl } = claims;
  assertStatic(binary, target);
  const cannotRun = targetExecutionProblem(target);
  if (cannotRun) throw new Error(`cannot prove ${binary}: ${cannotRun}`);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8', env: {} }).trim();
  if (version !== `v${nodeVersion}`) throw new Error(`${binary} --version says ${version}, expected v${nodeVersion}`);
  assertAllocator(binary, ['-e', '0'], allocator);
  const pages = pageSizeProblem(target, binary, ['-e', 'process.exit(0)']);
  if (pages) throw new Error(pages);
  const { icu } = assertIntl(binary, intl);
  assertPointerCompression(binary, claims.pointerCompression === true);
  return { version, icu };
}
