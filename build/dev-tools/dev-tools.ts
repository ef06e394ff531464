/*
 * The tools only the tests and benches use — verdaccio (a local npm registry), @yao-pkg/pkg (the peer the
 * benches measure against), autocannon (load), CycloneDX (SBOM tooling) — 560 of the 735 packages `npm ci`
 * wrote, and most of its minute. They live in dev-tools/package.json with their own lockfile and are
 * installed with `npm ci` on first use into <cache>/dev-tools/<lockfile hash>: the lockfile pins every
 * package's integrity, the user's npm registry settings apply, a changed lockfile is a new directory, and a
 * checkout that only builds (`npm ci && npm run dist`) never fetches them.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import type { Logger } from '../../shared/toolchain/logger.ts';

const source = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dev-tools');
const FILES = ['package.json', 'package-lock.json'] as const;
// Written last: a directory without it is an install that did not finish.
const COMPLETE = '.complete';

/** Where the tools of the current lockfile are (or will be) installed. */
export function devToolsDir(): string {
  const hash = createHash('sha256');
  for (const f of FILES) hash.update(readFileSync(join(source, f)));
  return join(cacheRoot(), 'dev-tools', hash.digest('hex').slice(0, 16));
}

/**
 * About how many tarballs npm fetches for the lockfile (for progress: with --loglevel=http npm logs one line per
 * tarball): its packages with an integrity — `resolved` may be omitted (omit-lockfile-registry-resolved), and a few
 * optional ones for other platforms are skipped.
 */
function tarballCount(): number {
  const lock = JSON.parse(readFileSync(join(source, 'package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string; inBundle?: boolean }> };
  return Object.values(lock.packages).filter((p) => p.integrity && !p.inBundle).length;
}

/** Installs the tools unless they already are; returns their directory (its node_modules holds them). */
export async function ensureDevTools(log: Logger): Promise<string> {
  const dir = devToolsDir();
  if (existsSync(join(dir, COMPLETE))) return dir;
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.install-`);
  try {
    for (const f of FILES) copyFileSync(join(source, f), join(tmp, f));
    const started = Date.now();
    const total = tarballCount();
    log.info(`installing the test and bench tools (dev-tools/package-lock.json, about ${total} packages) into ${dir} — once per lockfile`);
    const child = execa('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=http'], { cwd: tmp, reject: false, all: true });
    let fetched = 0;
    child.stderr?.on('data', (d: Buffer) => (fetched += (d.toString().match(/ GET 200 \S+\.tgz /g) ?? []).length));
    const ticker = setInterval(() => {
      const s = (Date.now() - started) / 1000;
      const eta = fetched > 0 && fetched < total ? `, ETA ${Math.round((s * (total - fetched)) / fetched)} s` : '';
      log.info(`  dev tools: ${Math.min(fetched, total)}/${total} packages fetched, ${Math.round(s)} s${eta}`);
    }, 10_000);
    const res = await child.finally(() => clearInterval(ticker));
    if (res.exitCode !== 0) {
      throw new BuildError(
        `installing dev-tools/ (npm ci in ${tmp}) failed with exit ${res.exitCode}:\n${(res.all ?? '')
          .split('\n')
          .filter((l) => !l.startsWith('npm http '))
          .join('\n')}\nThe tests and benches that use verdaccio, pkg, autocannon or CycloneDX need it; check the npm registry settings (npm config get registry).`,
      );
    }
    writeFileSync(join(tmp, COMPLETE), `${new Date().toISOString()}\n`);
    // Another process may have finished first: its install is as good as ours.
    if (existsSync(join(dir, COMPLETE))) return dir;
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log.info(`  dev tools installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return dir;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The installed tools' directory; an error that says how to install them when they are not. */
export function installedDevTools(): string {
  const dir = devToolsDir();
  if (!existsSync(join(dir, COMPLETE))) {
    throw new BuildError(`the test and bench tools (dev-tools/package.json) are not installed in ${dir}; \`npm run dev-tools\` installs them (npm test does it first)`);
  }
  return dir;
}

/** A path inside an installed tool package, e.g. devToolPath('verdaccio/bin/verdaccio'). */
export function devToolPath(path: string): string {
  return join(installedDevTools(), 'node_modules', path);
}

/** `require` of a tool package, resolved from the dev tools' own node_modules. */
export function requireDevTool(id: string): unknown {
  return createRequire(join(installedDevTools(), 'package.json'))(id);
}

/** The installed version of a tool package (what a bench report names). */
export function devToolVersion(name: string): string {
  return (JSON.parse(readFileSync(devToolPath(`${name}/package.json`), 'utf8')) as { version: string }).version;
}
