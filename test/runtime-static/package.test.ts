import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startRegistry } from '../../build/bench/local-registry.ts';
import { distLog } from '../../build/context.ts';
import { requireDevTool } from '../../build/dev-tools/dev-tools.ts';
import { distSteps } from '../../build/dist.ts';
import { runStep, runSteps } from '../../build/pipeline.ts';
import { installRuntime } from '../../build/runtime/package/install.ts';
import { npmIntegrity } from '../../build/runtime/package/integrity.ts';
import { checkStaticPins, type StaticRuntimePin } from '../../build/runtime/pin.ts';
import { cachedStaticRuntime, runtimeDir, type StaticRuntimeManifest } from '../../build/runtime/static/verify.ts';
import { runtimeStep } from '../../build/steps/runtime.ts';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { repoRoot, tempDir, testContext } from '../fixtures/context.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';

// The default line's static runtime: the version a package of it carries (its official runtime's may differ).
const NODE = DEFAULT_STATIC;
const NAME = 'broker-static-runtime-linux-x64-jemalloc-intl-full';
const keyOf = (hash: string) => `broker-static-runtime-${NODE}-linux-x64-jemalloc-intl-full-${hash}`;

let registry: LocalRegistry;
const savedEnv = { ...process.env };
beforeAll(async () => {
  registry = await startRegistry();
  // The runtime step's npm reads the registry from the environment, as it would from a user's .npmrc.
  Object.assign(process.env, registry.env);
}, 60_000);
afterAll(async () => {
  for (const k of Object.keys(registry?.env ?? {})) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await registry?.stop();
});

/** A cache holding a "runtime" that is no static Node at all (a copy of true(1)), with a manifest as a build writes one. */
function fakeCache(key: string | undefined): string {
  const cacheDir = tempDir('fake-cache');
  const dir = runtimeDir(cacheDir, NODE, 'jemalloc', 'x64', 'full');
  mkdirSync(dir, { recursive: true });
  copyFileSync('/usr/bin/true', join(dir, 'node'));
  const sha256 = execFileSync('sha256sum', [join(dir, 'node')], { encoding: 'utf8' }).split(' ')[0] as string;
  const manifest: StaticRuntimeManifest = {
    kind: 'static',
    path: join(dir, 'node'),
    nodeVersion: NODE,
    arch: 'x64',
    sha256,
    libc: 'musl',
    allocator: 'jemalloc',
    intl: 'full',
    inputs: [{ name: 'nodejs', version: NODE, origin: `https://deb.debian.org/debian/pool/main/n/nodejs/nodejs_${NODE}.orig.tar.xz`, sha256: 'a'.repeat(64) }],
    target: 'x86_64-linux-musl',
    ...(key ? { key } : {}),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return cacheDir;
}

/** `npm run runtime -- pack` on a cache: the tarball it wrote and the pin it printed. */
function packCli(cacheDir: string): { tarball: string; pin: StaticRuntimePin; stderr: string } {
  const out = tempDir('runtime-pack');
  const r = spawnSync('npm', ['run', '--silent', 'runtime', '--', 'pack', '--out', out], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BROKER_CACHE: cacheDir } });
  if (r.status !== 0) throw new Error(`runtime pack failed (${r.status}):\n${r.stdout}${r.stderr}`);
  const pin = JSON.parse(/^pin: (.*)$/m.exec(r.stderr)?.[1] ?? '{}').x64 as StaticRuntimePin;
  return { tarball: r.stdout.trim(), pin, stderr: r.stderr };
}

function publish(tarball: string): void {
  const r = spawnSync('npm', ['publish', tarball], { encoding: 'utf8', env: { ...process.env, ...registry.env } });
  if (r.status !== 0) throw new Error(`npm publish ${tarball} failed:\n${r.stdout}${r.stderr}`);
}

/** The package with `change` applied to its unpacked files, packed again (same name and version): what a tampering registry would serve. */
async function repacked(tarball: string, change: (dir: string) => void): Promise<{ tarball: string; integrity: string }> {
  const dir = tempDir('repack');
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  change(join(dir, 'package'));
  const info = JSON.parse(execFileSync('npm', ['pack', join(dir, 'package'), '--json', '--pack-destination', dir], { encoding: 'utf8' }))[0];
  return { tarball: join(dir, info.filename), integrity: info.integrity };
}

/** The dist runtime step for --runtime static with `pin`, on an empty cache. */
function staticStep(pin: StaticRuntimePin | undefined) {
  const ctx = testContext({ runtimeRequest: { kind: 'static' }, ...(pin ? { staticPin: pin } : {}) });
  return { ctx, run: runStep(runtimeStep, ctx) };
}

/** Nothing reached the cache: no runtime dir, no scratch left beside it. */
function expectNothingCached(cacheDir: string): void {
  const runtimes = join(cacheDir, 'runtimes');
  expect(existsSync(runtimes) ? readdirSync(runtimes) : []).toEqual([]);
}

describe('runtime pack', () => {
  it('packs the cached runtime: bin/node, its manifest, a valid CycloneDX SBOM, os/cpu and no libc, version from the runtime key', async () => {
    const { tarball, pin } = packCli(fakeCache(keyOf('0123456789abcdef')));
    expect(pin).toEqual({ package: NAME, version: `${NODE}-k0123456789abcdef`, integrity: await npmIntegrity(tarball) });
    const listing = execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x .* package\/bin\/node$/m);
    const dir = tempDir('unpacked');
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const read = (f: string) => JSON.parse(readFileSync(join(dir, 'package', f), 'utf8'));
    const pj = read('package.json');
    expect(pj).toMatchObject({ name: NAME, version: pin.version, os: ['linux'], cpu: ['x64'] });
    expect(pj).not.toHaveProperty('libc');
    expect(pj).not.toHaveProperty('scripts');
    expect(read('manifest.json')).toMatchObject({ path: 'bin/node', key: keyOf('0123456789abcdef'), allocator: 'jemalloc' });
    const sbom = readFileSync(join(dir, 'package', 'sbom.cdx.json'), 'utf8');
    // CycloneDX's own schema validator (from dev-tools/; the parts used here typed by hand).
    const { Spec, Validation } = requireDevTool('@cyclonedx/cyclonedx-library') as {
      Spec: { Version: { v1dot5: unknown } };
      Validation: { JsonStrictValidator: new (version: unknown) => { validate(json: string): Promise<unknown> } };
    };
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(sbom)).toBeNull();
    expect(JSON.parse(sbom).components[0]).toMatchObject({ name: 'nodejs', hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }] });
  });

  it('versions a runtime whose manifest records no key by this checkout’s key, and says so', () => {
    const { pin, stderr } = packCli(fakeCache(undefined));
    expect(stderr).toMatch(new RegExp(`records no runtime key .* using this checkout's: broker-static-runtime-${regexpLiteral(NODE)}-linux-x64-jemalloc-intl-full-[0-9a-f]{16}`));
    expect(pin.version).toMatch(new RegExp(`^${regexpLiteral(NODE)}-k[0-9a-f]{16}$`));
  });

  it('publish: publishes a new version once, and leaves a published one alone; the pin file holds what the registry serves', () => {
    const cacheDir = fakeCache(keyOf('7777777777777777'));
    const pinFile = join(tempDir('pin'), 'pin.json');
    const publishCli = () =>
      spawnSync('npm', ['run', '--silent', 'runtime', '--', 'publish', '--out', tempDir('runtime-pack'), '--pin-file', pinFile], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...registry.env, BROKER_CACHE: cacheDir } });
    const first = publishCli();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain(`published ${NAME}@${NODE}-k7777777777777777 (sha512-`);
    const pin = JSON.parse(readFileSync(pinFile, 'utf8')).x64 as StaticRuntimePin;
    const view = spawnSync('npm', ['view', `${NAME}@${pin.version}`, 'dist.integrity'], { encoding: 'utf8', env: { ...process.env, ...registry.env } });
    expect(view.stdout.trim()).toBe(pin.integrity);
    const again = publishCli();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${NAME}@${NODE}-k7777777777777777 is published already (${pin.integrity}): not publishing it again`);
  });

  it('refuses with the build command when nothing is cached', () => {
    const r = spawnSync('npm', ['run', '--silent', 'runtime', '--', 'pack', '--out', tempDir('runtime-pack')], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BROKER_CACHE: tempDir('empty-cache') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no cached linux-x64 static runtime \(jemalloc, intl full\) .* 'npm run runtime -- --detach'/);
  });
});

describe('dist --runtime static: a pinned package that fails a check is refused and nothing is cached', () => {
  it('refuses a tarball whose integrity is not the pinned one (the registry serves other bytes under the version)', async () => {
    const { tarball, pin } = packCli(fakeCache(keyOf('1111111111111111')));
    // Consistent inside (bin/node matches its manifest): only the pin can tell.
    const tampered = await repacked(tarball, (dir) => {
      writeFileSync(join(dir, 'bin/node'), '#!/bin/sh\necho pwned\n');
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      m.sha256 = execFileSync('sha256sum', [join(dir, 'bin/node')], { encoding: 'utf8' }).split(' ')[0];
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    });
    publish(tampered.tarball);
    const { ctx, run } = staticStep(pin);
    await expect(run).rejects.toThrow(new RegExp(`^${NAME}@${NODE}-k1111111111111111: the registry's tarball has integrity ${tampered.integrity.replace(/[+/]/g, '\\$&')}, but package.json pins`));
    expectNothingCached(ctx.cacheDir);
  });

  it("refuses a package whose bin/node disagrees with its manifest's sha256", async () => {
    const { tarball } = packCli(fakeCache(keyOf('2222222222222222')));
    const broken = await repacked(tarball, (dir) => writeFileSync(join(dir, 'bin/node'), 'not the binary the manifest describes'));
    publish(broken.tarball);
    const { ctx, run } = staticStep({ package: NAME, version: `${NODE}-k2222222222222222`, integrity: broken.integrity });
    await expect(run).rejects.toThrow(new RegExp(`^${NAME}@${NODE}-k2222222222222222: bin/node has sha256 [0-9a-f]{64}, but the package's manifest.json says`));
    expectNothingCached(ctx.cacheDir);
  });

  it('refuses a package that passes both checks but is no static runtime: the build’s proofs run on it', async () => {
    const { tarball, pin } = packCli(fakeCache(keyOf('3333333333333333')));
    publish(tarball);
    const { ctx, run } = staticStep(pin);
    await expect(run).rejects.toThrow(new RegExp(`^${NAME}@${NODE}-k3333333333333333 fails the static runtime proofs, so it was not cached: .* has a PT_INTERP: it is dynamically linked`));
    expect(ctx.lines).toContainEqual(expect.stringMatching(new RegExp(`^  fetched ${NAME}@${NODE}-k3333333333333333: ${(statSync(tarball).size / 2 ** 20).toFixed(1)} MiB in \\d+ s$`)));
    expectNothingCached(ctx.cacheDir);
  });
});

describe('dist --runtime static: no runtime to be had says so in one line, with how to build it', () => {
  const oneLine = (what: RegExp) =>
    new RegExp(`^no linux-x64 static runtime: none is cached and ${what.source}; build it with 'npm run runtime -- --detach' \\(1.5–4 h on 2 cores with full ICU, resumable\\) and run again, or add --build-runtime to build it now$`);

  it('not published', async () => {
    const { ctx, run } = staticStep({ package: NAME, version: `${NODE}-k4444444444444444`, integrity: 'sha512-AAAA' });
    await expect(run).rejects.toThrow(oneLine(new RegExp(`${NAME}@${NODE}-k4444444444444444 is not published on ${registry.url.replace(/\./g, '\\.')}`)));
    expectNothingCached(ctx.cacheDir);
  });

  it('registry unreachable (offline)', async () => {
    const saved = process.env.npm_config_registry;
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    try {
      const { run } = staticStep({ package: NAME, version: `${NODE}-k5555555555555555`, integrity: 'sha512-AAAA' });
      await expect(run).rejects.toThrow(oneLine(/cannot reach http:\/\/127\.0\.0\.1:9\/ for \S+ \(ECONNREFUSED\)/));
    } finally {
      process.env.npm_config_registry = saved;
    }
  });

  it('nothing pinned', async () => {
    await expect(staticStep(undefined).run).rejects.toThrow(oneLine(/package\.json pins no linux-x64 static runtime package \(runtimes\.staticRuntime\.x64\)/));
  });
});

describe('pins and the cache', () => {
  it('a pin lacking a field, or with another integrity than sha512, is refused by name', () => {
    const good = { package: NAME, version: `${NODE}-k0123456789abcdef`, integrity: 'sha512-AAAA' };
    expect(() => checkStaticPins({ x64: good }, 'package.json')).not.toThrow();
    expect(() => checkStaticPins({ arm64: { ...good, version: undefined } }, 'package.json')).toThrow(/runtimes\.staticRuntime\.arm64 lacks version/);
    expect(() => checkStaticPins({ x64: { ...good, integrity: 'sha1-AAAA' } }, 'package.json')).toThrow(/must be an npm sha512- integrity/);
  });

  it('installs a runtime whole, replacing what an interrupted build left, with the cached path in its manifest', async () => {
    const cacheDir = fakeCache(keyOf('6666666666666666'));
    const dir = runtimeDir(cacheDir, NODE, 'jemalloc', 'x64', 'full');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as StaticRuntimeManifest;
    const scratch = join(cacheDir, 'runtimes', '.fetch-test');
    mkdirSync(scratch);
    copyFileSync(manifest.path, join(scratch, 'node'));
    writeFileSync(join(dir, 'manifest.json.partial'), 'left by an interrupted build');
    const installed = await installRuntime(join(scratch, 'node'), manifest, dir, scratch);
    expect(installed.path).toBe(join(dir, 'node'));
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'node']);
    expect(statSync(join(dir, 'node')).mode & 0o777).toBe(0o755);
    expect(cachedStaticRuntime(cacheDir, NODE, 'jemalloc', 'x64', 'full')).toEqual(installed);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

const real = cachedStaticRuntime(cacheRoot(), NODE, 'jemalloc', 'x64', 'full');
const need = prerequisite('a cached linux-x64 static runtime (jemalloc, full ICU) to pack', real ? '' : `none under ${cacheRoot()}/runtimes (npm run runtime -- --detach builds it: 1.5–4 h on 2 cores)`);

itWhen(need, 'a real runtime: pack, publish, then dist --runtime static on an empty cache fetches, proves and uses it, compiling nothing', async () => {
  const { tarball, pin } = packCli(cacheRoot());
  publish(tarball);
  const cacheDir = tempDir('empty-cache');
  const ctx = testContext({ cacheDir, runtimeRequest: { kind: 'static' }, staticPin: pin });
  const started = performance.now();
  await runSteps(ctx, distSteps, distLog(ctx));
  const seconds = (performance.now() - started) / 1000;
  console.log(`[measured] fetch + prove + dist of ${pin.package}@${pin.version}: ${seconds.toFixed(1)} s`);
  expect(ctx.artifact?.name).toMatch(/-linux-x64-static$/);
  expect(ctx.runtime).toMatchObject({ kind: 'static', libc: 'musl', allocator: 'jemalloc', package: { name: pin.package, version: pin.version, integrity: pin.integrity } });
  expect(cachedStaticRuntime(cacheDir, NODE, 'jemalloc', 'x64', 'full')?.sha256).toBe(real?.sha256);
  // No stage dir: nothing was compiled.
  expect(existsSync(join(cacheDir, 'static'))).toBe(false);
});
