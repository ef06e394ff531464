// npm run bench:fresh-clone — the promise of prebuilt runtimes (issue 26), measured: a fresh clone of this
// repository (HEAD), the static runtime package reachable on a registry and pinned, then `npm ci && npm run dist`
// with an empty toolchain cache → dist/broker-<version>-linux-x64-static, nothing compiled. The registry is a local
// verdaccio holding the package packed from the cached runtime (no package is published on npmjs.com yet; CI's
// runtime job publishes it and the release records the pin); `npm ci` uses the user's registry, once with npm's
// cache as it is and once with an empty one (a fresh machine). Writes its section of docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectFile } from '../../shared/elf/file.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { packRuntime } from '../runtime/package/pack.ts';
import { runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import { benchArgs } from './bench-args.ts';
import { startRegistry } from './local-registry.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, table, writeSection } from './report.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:fresh-clone', import.meta.filename);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pin = runtimePin();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const log = (line: string) => process.stdout.write(`${line}\n`);
const TARGET_S = 60;

if (!cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin), 'jemalloc', 'x64')) {
  console.error('bench:fresh-clone packs the cached linux-x64 static runtime into the package it serves: none is cached (npm run runtime -- --detach builds it)');
  process.exit(1);
}

/** Runs a command to its end; its wall time in seconds, or throws with its output. */
function timedRun(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { seconds: number; output: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return { seconds, output: r.stdout + r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'broker-bench-fresh-'));
const registry = await startRegistry();
const quiet = pauseRuntimeBuilds(log);
const loadBefore = loadAverage();
try {
  log('packing the cached static runtime and publishing it to a local registry …');
  const packed = await packRuntime({ root, cacheDir: cacheRoot(), nodeVersion: staticNodeVersion(pin), arch: 'x64', allocator: 'jemalloc', intl: 'full', sourceMode: 'distribution', outDir: join(scratch, 'pack'), report: log });
  timedRun('npm', ['publish', packed.tarball], scratch, { ...process.env, ...registry.env });

  const rows: string[][] = [];
  for (const npmCache of ['as it is', 'empty'] as const) {
    const clone = join(scratch, `clone-${npmCache === 'empty' ? 'cold' : 'warm'}`);
    log(`fresh clone, npm cache ${npmCache} …`);
    spawnSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { stdio: 'inherit' });
    // What the release commit of CI's runtime job adds: the pin of the published package.
    const manifestPath = join(clone, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.runtimes.staticRuntime = { x64: packed.pin };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

    const toolchainCache = join(scratch, `broker-cache-${npmCache === 'empty' ? 'cold' : 'warm'}`);
    const npmEnv = npmCache === 'empty' ? { npm_config_cache: join(scratch, `npm-cache-cold`) } : {};
    const ci = timedRun('npm', ['ci', '--no-audit', '--no-fund'], clone, { ...process.env, ...npmEnv });
    // The runtime package comes from the local registry; everything else npm ci fetched from the user's.
    const dist = timedRun('npm', ['run', 'dist'], clone, { ...process.env, ...npmEnv, BROKER_CACHE: toolchainCache, npm_config_registry: registry.url });
    const artifact = join(clone, 'dist', `broker-${pkg.version}-linux-x64-static`);
    if (!existsSync(artifact)) throw new Error(`npm run dist made no ${artifact}:\n${dist.output}`);
    const verdict = inspectFile(artifact).verdict;
    const choice = /linux-x64: the static runtime \(([^)]+)\)/.exec(dist.output)?.[1] ?? 'not said';
    const total = ci.seconds + dist.seconds;
    rows.push([npmCache, ci.seconds.toFixed(1), dist.seconds.toFixed(1), total.toFixed(1), choice, verdict, `< ${TARGET_S} s: ${total < TARGET_S ? 'met' : 'NOT met'}`]);
    log(`  npm ci ${ci.seconds.toFixed(1)} s, npm run dist ${dist.seconds.toFixed(1)} s (${choice}): ${verdict}`);
  }
  const loadAfter = loadAverage();

  const md = `## Fresh clone to the static artifact: \`npm ci && npm run dist\` with a published runtime package

Command: \`npm run bench:fresh-clone\`. Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC;
load \`${loadBefore}\` at the start, \`${loadAfter}\` at the end${quiet.paused.length ? ' (the detached static-runtime build paused meanwhile)' : ''}.
A \`git clone\` of HEAD with package.json pinning the static runtime package (\`runtimes.staticRuntime.x64\`, what the
release commit adds once CI has published it), an empty toolchain cache (\`BROKER_CACHE\`), then \`npm ci\` and
\`npm run dist\`, each timed from spawn to exit. The package (${packed.pin.package}@${packed.pin.version}) is packed
from the cached runtime and served by a local verdaccio (none is on npmjs.com yet); \`npm ci\` fetches everything else
from the npm registry, with npm's cache as it was (warm on this machine) and with an empty one (a fresh machine).
\`npm run dist\` fetches the package through npm, checks its integrity against the pin and the binary's sha256 against
its manifest, runs the static, jemalloc and Intl proofs, and builds on it: no compile.

${table(['npm cache', 'npm ci (s)', 'npm run dist (s)', 'total (s)', 'runtime', 'artifact', 'target'], rows)}`;
  const path = await writeSection(root, 'bench:fresh-clone', md);
  log(md);
  log(`\nwritten to ${path}`);
} finally {
  quiet.resume();
  await registry.stop();
  rmSync(scratch, { recursive: true, force: true });
}
