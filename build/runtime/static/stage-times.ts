import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { coldSeconds, type StageTime, stageRuns } from './stage.ts';

export type { StageTime };

/** What each finished stage cost: the newest finished dir per stage, oldest stage first. */
export function stageTimes(stageRoot: string): StageTime[] {
  if (!existsSync(stageRoot)) return [];
  const newest = new Map<string, { dir: string; at: number }>();
  for (const d of readdirSync(stageRoot)) {
    const marker = join(stageRoot, d, 'stage-done.json');
    const stage = /^(.*)-[0-9a-f]{16}$/.exec(d)?.[1];
    if (!stage || !existsSync(marker)) continue;
    const at = statSync(marker).mtimeMs;
    if ((newest.get(stage)?.at ?? 0) < at) newest.set(stage, { dir: d, at });
  }
  return [...newest]
    .sort((a, b) => a[1].at - b[1].at)
    .map(([stage, { dir }]) => {
      const done = JSON.parse(readFileSync(join(stageRoot, dir, 'stage-done.json'), 'utf8')) as { seconds: number };
      return { stage, dir, seconds: coldSeconds(stageRuns(join(stageRoot, dir))) || done.seconds };
    });
}
