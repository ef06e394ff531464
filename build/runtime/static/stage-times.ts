import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../../shared/toolchain/arch.ts';
import { type StageTime, stageColdSeconds } from './stage.ts';
import { STATIC_TARGETS } from './target.ts';

export type { StageTime };

/** Stages whose output is the same bytes for every target: both arches' builds use them. */
export const SHARED_STAGES = new Set(['zig', 'gyp', 'js-builtins']);

/**
 * The arch a stage dir was built for, from its recorded inputs: a foreign target names its triple or
 * --dest-cpu there; x64's inputs name neither (they predate arm64). Undefined for a shared stage.
 */
export function stageArch(stageRoot: string, dir: string): Arch | undefined {
  const stage = /^(.*)-[0-9a-f]{16}$/.exec(dir)?.[1];
  if (!stage || SHARED_STAGES.has(stage)) return undefined;
  const file = join(stageRoot, dir, 'stage-inputs.json');
  const inputs = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const foreign = Object.values(STATIC_TARGETS).find((t) => t.arch !== 'x64' && (inputs.includes(`"${t.triple}"`) || inputs.includes(`--dest-cpu=${t.arch}"`)));
  return foreign?.arch ?? 'x64';
}

/** What each finished stage of `arch` cost: the newest finished dir per stage, oldest stage first. */
export function stageTimes(stageRoot: string, arch: Arch = 'x64'): StageTime[] {
  if (!existsSync(stageRoot)) return [];
  const newest = new Map<string, { dir: string; at: number }>();
  for (const d of readdirSync(stageRoot)) {
    const marker = join(stageRoot, d, 'stage-done.json');
    const stage = /^(.*)-[0-9a-f]{16}$/.exec(d)?.[1];
    if (!stage || !existsSync(marker)) continue;
    const of = stageArch(stageRoot, d);
    if (of !== undefined && of !== arch) continue;
    const at = statSync(marker).mtimeMs;
    if ((newest.get(stage)?.at ?? 0) < at) newest.set(stage, { dir: d, at });
  }
  return [...newest].sort((a, b) => a[1].at - b[1].at).map(([stage, { dir }]) => ({ stage, dir, seconds: stageColdSeconds(join(stageRoot, dir)) }));
}
