import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticRuntimeManifest } from './verify.ts';

/** A stage dir is `<stage>-<16 hex>`; everything else under static/ (trees, sysroots, logs) is not. */
const STAGE_DIR = /^.+-[0-9a-f]{16}$/;
/** An unfinished build (another arch, a foreground run) may still need what it touched lately. */
export const KEEP_RECENT_MS = 7 * 24 * 3600 * 1000;

export interface PruneEntry {
  name: string;
  /** Last change of the dir or of anything directly in it. */
  modifiedMs: number;
}

export interface PrunePlan {
  remove: string[];
  /** Why the others stay, by reason (for the dry-run report). */
  kept: { live: string[]; recent: string[] };
}

/**
 * Which stage dirs under <cache>/static can go: those no cached runtime was made from (its
 * manifest's `stages`) and that nothing touched within `keepMs`. Pure: the caller lists the dirs.
 */
export function planPrune(entries: PruneEntry[], live: Set<string>, nowMs: number, keepMs = KEEP_RECENT_MS): PrunePlan {
  const plan: PrunePlan = { remove: [], kept: { live: [], recent: [] } };
  for (const e of entries.filter((x) => STAGE_DIR.test(x.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    if (live.has(e.name)) plan.kept.live.push(e.name);
    else if (nowMs - e.modifiedMs < keepMs) plan.kept.recent.push(e.name);
    else plan.remove.push(e.name);
  }
  return plan;
}

/** The stage dir names every cached runtime lists; throws naming the runtimes whose manifest predates the list. */
export function liveStageDirs(cacheDir: string): Set<string> {
  const runtimes = join(cacheDir, 'runtimes');
  const manifests = existsSync(runtimes)
    ? readdirSync(runtimes)
        .map((d) => join(runtimes, d, 'manifest.json'))
        .filter((f) => existsSync(f))
        .map((f) => ({ f, m: JSON.parse(readFileSync(f, 'utf8')) as StaticRuntimeManifest }))
        .filter(({ m }) => m.kind === 'static')
    : [];
  const unlisted = manifests.filter(({ m }) => !m.stages).map(({ f }) => f);
  if (unlisted.length) {
    throw new Error(`these runtimes do not list the stages they were made from, so prune cannot tell what they need:\n  ${unlisted.join('\n  ')}\nre-run \`npm run runtime\` for them (every stage is cached: seconds) and prune again`);
  }
  return new Set(manifests.flatMap(({ m }) => (m.stages ?? []).map((s) => s.dir.split('/').pop() as string)));
}

function modified(dir: string): number {
  const own = statSync(dir).mtimeMs;
  return Math.max(own, ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
}

/** `npm run runtime -- prune [--yes]`: report (and with `yes` delete) stage dirs nothing needs. */
export function pruneStages(cacheDir: string, yes: boolean, print: (line: string) => void): PrunePlan {
  const root = join(cacheDir, 'static');
  const entries = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => ({ name: e.name, modifiedMs: modified(join(root, e.name)) }))
    : [];
  const plan = planPrune(entries, liveStageDirs(cacheDir), Date.now());
  const size = (names: string[]) =>
    names.length
      ? execFileSync('du', ['-sch', ...names.map((n) => join(root, n))], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .pop()
          ?.split('\t')[0]
      : '0';
  print(`${plan.kept.live.length} stage dirs made a cached runtime (kept); ${plan.kept.recent.length} touched in the last 7 days (kept: an unfinished build may need them)`);
  print(`${plan.remove.length} stage dirs nothing needs (${size(plan.remove)}):${plan.remove.map((n) => `\n  ${n}`).join('')}`);
  if (!yes) {
    if (plan.remove.length) print('dry run: pass --yes to delete them');
    return plan;
  }
  for (const n of plan.remove) rmSync(join(root, n), { recursive: true, force: true });
  print(`deleted ${plan.remove.length}`);
  return plan;
}
