/*
 * "Today's" artifact for a bench that measures against the code before an issue: the official artifact of an old
 * commit, kept in the cache and, where it is not (a fresh machine), built once from a git worktree of that commit
 * with this checkout's node_modules (npm run dist at that commit; seconds). A clone without that commit (shallow)
 * gets a reason instead.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';

/** The artifact's path, building it if needed; or why there is none. `log` says when it builds. */
export function baselineArtifact(o: { root: string; commit: string; version: string; log: (line: string) => void }): string | { skipped: string } {
  const path = join(cacheRoot(), 'bench', `broker-${o.commit}-linux-x64`);
  if (existsSync(path)) return path;
  const has = spawnSync('git', ['cat-file', '-e', `${o.commit}^{commit}`], { cwd: o.root });
  if (has.status !== 0) return { skipped: `no baseline artifact at ${path}, and commit ${o.commit} is not in this clone to build it from (a shallow clone?)` };
  o.log(`building the baseline: the official artifact of ${o.commit} (a git worktree, npm run dist) …`);
  const work = mkdtempSync(join(tmpdir(), `broker-baseline-${o.commit}-`));
  const tree = join(work, 'tree');
  const git = (args: string[]) => spawnSync('git', args, { cwd: o.root, encoding: 'utf8' });
  try {
    const added = git(['worktree', 'add', '--detach', tree, o.commit]);
    if (added.status !== 0) return { skipped: `git worktree add of ${o.commit} failed: ${added.stderr.trim()}` };
    symlinkSync(join(o.root, 'node_modules'), join(tree, 'node_modules'));
    const out = join(work, 'dist');
    const built = spawnSync('npm', ['run', '--silent', 'dist', '--', '--runtime', 'official', '--out', out], { cwd: tree, encoding: 'utf8' });
    if (built.status !== 0) return { skipped: `npm run dist at ${o.commit} failed: ${(built.stderr || built.stdout).trim().split('\n').at(-1)}` };
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(join(out, `broker-${o.version}-linux-x64`), path);
    return path;
  } finally {
    git(['worktree', 'remove', '--force', tree]);
    rmSync(work, { recursive: true, force: true });
  }
}
