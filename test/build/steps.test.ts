import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuildContext, distLog } from '../../build/context.ts';
import { runStep, runSteps } from '../../build/pipeline.ts';
import { type Launcher, launcherFor } from '../../build/runtime/launcher.ts';
import { officialRuntime, shasumFor } from '../../build/runtime/official.ts';
import { staticNodeVersion } from '../../build/runtime/pin.ts';
import type { Runtime } from '../../build/runtime/runtime.ts';
import { blobStep } from '../../build/steps/blob.ts';
import { bundleStep } from '../../build/steps/bundle.ts';
import { checksumStep } from '../../build/steps/checksum.ts';
import { blobCapacity, injectStep } from '../../build/steps/inject.ts';
import { manifestStep } from '../../build/steps/manifest.ts';
import { preflightStep } from '../../build/steps/preflight.ts';
import { runtimeStep } from '../../build/steps/runtime.ts';
import { verifyStep } from '../../build/steps/verify.ts';
import { SEA_FUSE } from '../../shared/elf/sea.ts';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { syntheticElf, writeTemp } from '../fixtures/binaries.ts';
import { testContext } from '../fixtures/context.ts';
import { DEFAULT_LINE, DEFAULT_OFFICIAL, OTHER_LINE } from '../fixtures/line.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await officialTestRuntime();
}, 120_000);

async function bundled(over: Partial<BuildContext> = {}) {
  const ctx = testContext({ runtime, launcher: launcherFor('x64', true) as Launcher, ...over });
  await runStep(bundleStep, ctx);
  return ctx;
}

describe('bundle', () => {
  it('writes one CommonJS file with the build facts baked in', async () => {
    const ctx = await bundled();
    const bundle = ctx.bundle!;
    expect(readFileSync(bundle.path, 'utf8')).not.toMatch(/^\s*(import|export)\s/m);
    expect(execFileSync(process.execPath, [bundle.path, '--version'], { encoding: 'utf8' }).trim()).toBe('broker 9.8.7');
    const info = JSON.parse(execFileSync(process.execPath, [bundle.path, 'version', '--json'], { encoding: 'utf8' }));
    expect(info).toMatchObject({ version: '9.8.7', commit: 'c0ffee', sourceDateEpoch: 1700000000, build: { runtime: { kind: 'official', nodeVersion: DEFAULT_OFFICIAL, libc: 'glibc' } } });
  });
});

describe('preflight', () => {
  it('refuses a bundle that contains the SEA sentinel', async () => {
    const ctx = await bundled();
    writeFileSync(ctx.bundle!.path, `console.log("${SEA_FUSE}:0")`);
    await expect(runStep(preflightStep, ctx)).rejects.toThrow(/contains Node's SEA sentinel/);
  });

  it('refuses a runtime without a PT_NOTE segment (postject issue 107)', async () => {
    const ctx = await bundled();
    ctx.runtime = { ...runtime, path: writeTemp('no-note', syntheticElf([1])) };
    await expect(runStep(preflightStep, ctx)).rejects.toThrow(/no PT_NOTE.*postject issue 107/s);
  });

  it('passes the real bundle and the official runtime', async () => {
    await expect(runStep(preflightStep, await bundled())).resolves.toMatch(/sentinel absent/);
  });
});

describe('blob', () => {
  it('refuses to make a blob when the runtime cannot run here', async () => {
    const ctx = await bundled({ launcher: undefined });
    await expect(runStep(blobStep, ctx)).rejects.toThrow(BuildError);
  });

  it('is made by the runtime with code cache, byte-identical across scratch dirs', async () => {
    const a = await bundled();
    const b = await bundled();
    await runStep(blobStep, a);
    await runStep(blobStep, b);
    expect(a.blob!.startup).toBe('code-cache');
    expect(a.blob!.sha256).toBe(b.blob!.sha256);
  });
});

describe('inject + verify', () => {
  it('produce a verified artifact that runs', async () => {
    const ctx = await bundled();
    await runStep(blobStep, ctx);
    await runStep(injectStep, ctx);
    await runStep(verifyStep, ctx);
    const art = ctx.artifact!;
    expect(art.name).toBe('broker-9.8.7-linux-x64');
    expect(spawnSync(art.path, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe('broker 9.8.7');
  });

  it('postject runs once per runtime: later builds patch the cached template', async () => {
    const cacheDir = testContext().cacheDir;
    const first = await bundled({ cacheDir });
    await runStep(blobStep, first);
    await runStep(injectStep, first);
    expect(first.lines.join('\n')).toMatch(/preparing the SEA template/);
    const second = await bundled({ cacheDir, version: '9.8.8' });
    await runStep(blobStep, second);
    await runStep(injectStep, second);
    expect(second.lines.join('\n')).not.toMatch(/preparing the SEA template/);
    await runStep(verifyStep, second);
    expect(spawnSync(second.artifact!.path, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe('broker 9.8.8');
  });

  it('reserves blob capacity as a pure function of the blob size', () => {
    expect(blobCapacity(1)).toBe(2 ** 20);
    expect(blobCapacity(2 ** 20)).toBe(2 ** 20);
    expect(blobCapacity(2 ** 20 + 1)).toBe(2 ** 21);
  });

  it('verify rejects a runtime copy that holds no blob', async () => {
    const ctx = await bundled();
    await runStep(blobStep, ctx);
    ctx.injected = join(ctx.workDir, 'plain');
    copyFileSync(runtime.path, ctx.injected);
    await expect(runStep(verifyStep, ctx)).rejects.toThrow(/no NODE_SEA_BLOB note/);
  });
});

describe('checksum + manifest', () => {
  it('SHA256SUMS passes sha256sum -c and manifest.json merges artifacts of one commit', async () => {
    const ctx = testContext({ runtime, timings: [{ step: 'bundle', ms: 5 }] });
    const files = ['broker-9.8.7-linux-x64', 'broker-9.8.7-linux-x64-static'].map((name) => {
      writeFileSync(join(ctx.outDir, name), name);
      return name;
    });
    const bundle = writeTemp('b.cjs', new TextEncoder().encode('1'));
    ctx.bundle = { ...(await fileFact(bundle)), format: 'cjs' };
    ctx.blob = { ...(await fileFact(bundle)), startup: 'code-cache' };
    for (const name of files) {
      ctx.artifact = { ...(await fileFact(join(ctx.outDir, name))), name };
      await runStep(checksumStep, ctx);
      await runStep(manifestStep, ctx);
    }
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: ctx.outDir, encoding: 'utf8' })).toBe(files.map((f) => `${f}: OK\n`).join(''));
    const manifest = JSON.parse(readFileSync(join(ctx.outDir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts).sort()).toEqual(files);
    expect(manifest.artifacts[files[0]!]).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), runtime: { kind: 'official', sha256: runtime.sha256 }, steps: [{ step: 'bundle', ms: 5 }] });
    // A new commit starts a fresh manifest rather than mixing builds.
    ctx.commit = 'beef';
    await runStep(manifestStep, ctx);
    expect(Object.keys(JSON.parse(readFileSync(join(ctx.outDir, 'manifest.json'), 'utf8')).artifacts)).toEqual([files[1]]);
  });
});

describe('pipeline', () => {
  it('records a timing per step and names the step that failed', async () => {
    const ctx = testContext();
    const fail = new BuildError('boom');
    await expect(
      runSteps(
        ctx,
        [
          { name: 'one', run: async () => 'fine' },
          { name: 'two', run: async () => Promise.reject(fail) },
          { name: 'three', run: async () => 'never' },
        ],
        distLog(ctx),
      ),
    ).rejects.toBe(fail);
    expect(ctx.timings.map((t) => t.step)).toEqual(['one']);
    expect(ctx.lines.at(-1)).toMatch(/^\[2\/3\] two ✗ failed/);
  });
});

describe('official runtime source', () => {
  it('reads SHASUMS256.txt lines', () => {
    const sums = `${'a'.repeat(64)}  node-v22.22.2-linux-arm64.tar.xz\n${'b'.repeat(64)}  node-v22.22.2-linux-x64.tar.xz\n`;
    expect(shasumFor(sums, 'node-v22.22.2-linux-x64.tar.xz')).toBe('b'.repeat(64));
    expect(shasumFor(sums, 'node-v22.22.2-linux-x64.tar.gz')).toBeUndefined();
  });

  it('the cached runtime is stripped, hashed and records where it came from', async () => {
    expect((await fileFact(runtime.path)).sha256).toBe(runtime.sha256);
    expect(execFileSync('readelf', ['-SW', runtime.path], { encoding: 'utf8' })).not.toMatch(/\.symtab/);
    expect(runtime.inputs[0]).toMatchObject({ version: DEFAULT_OFFICIAL, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe('runtime step', () => {
  it('refuses an npm runtime whose integrity differs from the pin in package.json', async () => {
    const ctx = testContext();
    await expect(officialRuntime({ nodeVersion: DEFAULT_OFFICIAL, arch: 'x64', cacheDir: ctx.cacheDir, log: ctx.log, integrity: 'sha512-AAAA' })).rejects.toThrow(/package.json pins sha512-AAAA/);
  });

  it('--runtime PATH takes any Node binary and learns its version by running it', async () => {
    const ctx = testContext({ runtimeRequest: { kind: 'custom', path: runtime.path }, nodeVersions: { official: '0.0.0', static: '0.0.0' } });
    await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`custom Node ${regexpLiteral(DEFAULT_OFFICIAL)} linux-x64`));
    expect(ctx.launcher?.emulated).toBe(false);
  });

  it('left to choose (auto) with no static runtime at hand, takes the official one and says why on one line', async () => {
    // A cache holding only the official runtime (linked, not fetched again) and no static runtime package pinned.
    const ctx = testContext({ runtimeRequest: { kind: 'auto' }, officialIntegrity: DEFAULT_LINE.runtimeIntegrity?.x64 });
    mkdirSync(join(ctx.cacheDir, 'runtimes'));
    symlinkSync(join(cacheRoot(), 'runtimes', 'official'), join(ctx.cacheDir, 'runtimes', 'official'));
    await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`^official Node ${regexpLiteral(DEFAULT_OFFICIAL)} linux-x64 \\(glibc`));
    expect(ctx.lines).toEqual([
      "  linux-x64: the official runtime, because no static one is at hand: none is cached and package.json pins no linux-x64 static runtime package (runtimes.staticRuntime.x64); 'npm run runtime -- --detach' builds it (1.5–4 h on 2 cores with full ICU, resumable)",
      expect.stringMatching(new RegExp(`^ {2}cached: .*/runtimes/official/node-v${regexpLiteral(DEFAULT_OFFICIAL)}-linux-x64-[0-9a-f]{12}/node$`)),
    ]);
  });

  it(`another Node line (--node ${OTHER_LINE.line}): the official runtime of that line, and the line named in why and how to build its static one`, async () => {
    const line = OTHER_LINE;
    const ctx = testContext({ runtimeRequest: { kind: 'auto' }, nodeVersions: { official: line.nodeVersion, static: staticNodeVersion(line) }, nodeLine: line.line, officialIntegrity: line.runtimeIntegrity?.x64 });
    mkdirSync(join(ctx.cacheDir, 'runtimes'));
    symlinkSync(join(cacheRoot(), 'runtimes', 'official'), join(ctx.cacheDir, 'runtimes', 'official'));
    await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`^official Node ${regexpLiteral(line.nodeVersion)} linux-x64 \\(glibc`));
    expect(ctx.lines[0]).toBe(
      `  linux-x64: the official runtime, because no static one is at hand: none is cached and package.json pins no linux-x64 static runtime package (runtimes.lines.${line.line}.staticRuntime.x64); 'npm run runtime -- --node ${line.line} --detach' builds it (1.5–4 h on 2 cores with full ICU, resumable)`,
    );
  });

  it('--runtime PATH that is missing or not ELF is a clear error', async () => {
    await expect(runStep(runtimeStep, testContext({ runtimeRequest: { kind: 'custom', path: '/nonexistent/node' } }))).rejects.toThrow(/not found or not executable/);
    await expect(runStep(runtimeStep, testContext({ runtimeRequest: { kind: 'custom', path: '/usr/bin/env' } }))).rejects.toThrow(/not a Node\.js binary/);
    const script = writeTemp('not-elf', new TextEncoder().encode('#!/bin/sh\necho v22.22.2\n'));
    await expect(runStep(runtimeStep, testContext({ runtimeRequest: { kind: 'custom', path: script } }))).rejects.toThrow(/not an ELF file/);
  });
});
