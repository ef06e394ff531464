import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../../build/pipeline.ts';
import { V8_OPTIONS } from '../../build/runtime/static/configure-flags.ts';
import { staticTarget } from '../../build/runtime/static/target.ts';
import { targetExecutionProblem } from '../../build/runtime/static/target-exec.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import { runtimeStep } from '../../build/steps/runtime.ts';
import pkg from '../../package.json' with { type: 'json' };
import { inspectFile } from '../../shared/elf/file.ts';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { archiveBytes } from '../app/archive-fixtures.ts';
import { runBroker, startRecorder } from '../app/broker-process.ts';
import { post } from '../app/http-client.ts';
import { runDist, tempDir, testContext } from '../fixtures/context.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { describeWhen, firstMissing, prerequisite } from '../fixtures/skip.ts';

const runtime = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC);

// Locally a missing runtime skips these tests, loudly; in strict mode (BROKER_STRICT_PREREQUISITES=1, the workflow's test job) it fails them (the workflow restores the runtime).
const need = prerequisite('a cached linux-x64 static runtime', runtime ? '' : 'none cached — build it with `npm run runtime` (1.5–4 h on 2 cores from an empty cache, with ICU)');

describeWhen(need, 'a target that names no runtime (npm run dist, linux-x64)', () => {
  it('takes the cached static runtime and says so on one line', async () => {
    const ctx = testContext({ runtimeRequest: { kind: 'auto' }, cacheDir: cacheRoot() });
    await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`^static Node ${regexpLiteral(DEFAULT_STATIC)} linux-x64 \\(musl, jemalloc, intl full\\)`));
    expect(ctx.lines).toEqual(['  linux-x64: the static runtime (cached); --runtime official for the glibc one']);
  });
});

const small = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', 'x64', 'small');
const needSmall = prerequisite('a cached linux-x64 static runtime with small ICU', small ? '' : 'none cached — build it with `npm run runtime -- --intl small` (30 min after the full one, from its tree and ccache)');

describe('seal.intl small (npm run dist -- --intl small)', () => {
  const smallConfig = (cacheDir: string, kind: 'auto' | 'static') => {
    const ctx = testContext({ runtimeRequest: { kind }, cacheDir });
    ctx.project = { ...ctx.project, config: { ...ctx.project.config, intl: 'small' } };
    return ctx;
  };

  it('with none cached, --runtime static stops, naming why (the published packages have full ICU) and the build command', async () => {
    const ctx = smallConfig(tempDir('no-small'), 'static');
    await expect(runStep(runtimeStep, ctx)).rejects.toThrow(/^no linux-x64 static runtime: none with intl small is cached \(seal\.intl; the published packages have full ICU\); build it with 'npm run runtime -- --intl small --detach'/);
  });

  describeWhen(needSmall, 'with one cached', () => {
    it('takes the small runtime, and never the full one', async () => {
      const ctx = smallConfig(cacheRoot(), 'auto');
      await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`^static Node ${regexpLiteral(DEFAULT_STATIC)} linux-x64 \\(musl, jemalloc, intl small\\)`));
      expect(ctx.lines).toEqual(['  linux-x64: the static runtime (cached, intl small); --runtime official for the glibc one']);
    });
  });
});

const compressed = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', 'x64', 'full', true);

describe('seal.pointerCompression (npm run dist -- --pointer-compression)', () => {
  const compressedConfig = (cacheDir: string, kind: 'auto' | 'static') => {
    const ctx = testContext({ runtimeRequest: { kind }, cacheDir });
    ctx.project = { ...ctx.project, config: { ...ctx.project.config, pointerCompression: true } };
    return ctx;
  };

  it('with none cached, --runtime static stops, naming why (no package has it) and the build command', async () => {
    const ctx = compressedConfig(tempDir('no-compressed'), 'static');
    await expect(runStep(runtimeStep, ctx)).rejects.toThrow(
      /^no linux-x64 static runtime: none with pointer compression is cached \(seal\.pointerCompression; no package has it\); build it with 'npm run runtime -- --pointer-compression --detach'/,
    );
  });

  describeWhen(
    prerequisite('a cached linux-x64 pointer-compressed static runtime', compressed ? '' : 'none cached — build it with `npm run runtime -- --pointer-compression --detach` (a full V8 compile, hours)', 'optional'),
    'with one cached',
    () => {
      it('takes the pointer-compressed runtime, and never the default one', async () => {
        const ctx = compressedConfig(cacheRoot(), 'auto');
        await expect(runStep(runtimeStep, ctx)).resolves.toMatch(new RegExp(`^static Node ${regexpLiteral(DEFAULT_STATIC)} linux-x64 \\(musl, jemalloc, intl full, pointer compression\\)`));
        expect(ctx.lines).toEqual(['  linux-x64: the static runtime (cached, pointer compression); --runtime official for the glibc one']);
      });
    },
  );
});

/** The product's promise end to end: dist on the musl + jemalloc runtime gives a static broker. */
describeWhen(need, 'npm run dist -- --runtime static', () => {
  let artifact = '';
  beforeAll(() => {
    artifact = join(runDist(['--runtime', 'static']).out, `broker-${pkg.version}-linux-x64-static`);
  }, 300_000);

  it('the inspector says static: no loader, no shared libraries', () => {
    const r = inspectFile(artifact);
    expect(r.verdict).toMatch(/^static(-pie)?: no loader, no shared libraries$/);
    expect(r).toMatchObject({ interpreter: null, needed: [], seaFuse: 'flipped', seaBlob: { present: true } });
  });

  it('broker version --json says musl, jemalloc, static', () => {
    const j = JSON.parse(execFileSync(artifact, ['version', '--json'], { encoding: 'utf8', env: {} }));
    expect(j.self).toMatchObject({
      libc: { family: 'musl' },
      static: true,
      sea: true,
      allocator: 'jemalloc',
      runtimeKind: 'static',
      execArgv: pkg.seal.nodeOptions,
      builtInV8Options: V8_OPTIONS.length > 0 ? V8_OPTIONS.join(' ') : null,
      intl: { mode: 'full', icu: '78.3' },
    });
    expect(j.build.runtime.intl).toBe('full');
  });

  it('MALLOC_CONF=stats_print:true prints jemalloc statistics at exit', () => {
    const r = spawnSync(artifact, ['--version'], { encoding: 'utf8', env: { MALLOC_CONF: 'stats_print:true' } });
    expect(r.stdout.trim()).toBe(`broker ${pkg.version}`);
    expect(r.stderr).toContain('jemalloc statistics');
  });

  // Replay's histogram must not need Intl: a runtime built --intl none has none.
  it('replay runs on it: the histogram loads without Intl and reports latency', async () => {
    const archive = join(tempDir('static-replay'), 'in.brk');
    writeFileSync(
      archive,
      archiveBytes(5, 0, undefined, (i) => `/r/${i}`),
    );
    let got = 0;
    // Each answer waits 20 ms: the latencies the report gives have that floor.
    const target = createServer((req, res) => (req.resume(), req.on('end', () => (got++, setTimeout(() => res.end(), 20)))));
    await new Promise<void>((res) => target.listen(0, '127.0.0.1', res));
    const port = (target.address() as { port: number }).port;
    const rep = await runBroker(['replay', archive, '--target', `http://127.0.0.1:${port}`, '--loop', '2', '--json'], artifact);
    target.close();
    expect(rep.stderr).toBe('');
    expect(rep.code).toBe(0);
    const report = JSON.parse(rep.stdout);
    expect(report).toMatchObject({ sent: 10, responses: 10, statuses: { 200: 10 } });
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(19);
    expect(got).toBe(10);
  });
});

// The arm64 artifact on this x64 host: built with the arm64 static runtime (its blob made by that runtime
// under qemu), then run under qemu through binfmt_misc — recording exercises the writing thread on aarch64.
const arm64Target = staticTarget('arm64');
const arm64Runtime = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', 'arm64');
const arm64Need = firstMissing(
  prerequisite('a cached linux-arm64 static runtime', arm64Runtime ? '' : 'none cached — build it with `npm run runtime -- --arch arm64 --detach` (hours on 2 cores)'),
  prerequisite('linux-arm64 programs running on this host', process.arch === 'arm64' ? '' : targetExecutionProblem(arm64Target)),
);

describeWhen(arm64Need, 'npm run dist -- --arch arm64 --runtime static', () => {
  let artifact = '';
  beforeAll(() => {
    artifact = join(runDist(['--arch', 'arm64', '--runtime', 'static']).out, `broker-${pkg.version}-linux-arm64-static`);
  }, 300_000);

  it('the inspector says AArch64, static', () => {
    const r = inspectFile(artifact);
    expect(r.machine).toBe('AArch64');
    expect(r.verdict).toMatch(/^static(-pie)?: no loader, no shared libraries$/);
    expect(r).toMatchObject({ interpreter: null, needed: [], seaFuse: 'flipped', seaBlob: { present: true } });
  });

  it('broker version --json says arm64, musl, jemalloc, static', () => {
    const j = JSON.parse(execFileSync(artifact, ['version', '--json'], { encoding: 'utf8', env: {}, timeout: 120_000 }));
    expect(j.self).toMatchObject({ arch: 'arm64', libc: { family: 'musl' }, static: true, sea: true, allocator: 'jemalloc', runtimeKind: 'static' });
  });

  it('records through its writing thread and reads the archive back', { timeout: 180_000 }, async () => {
    const out = join(tempDir('static-arm64-record'), 'a.brk');
    const rec = await startRecorder(['--out', out, '--json'], artifact);
    for (let i = 0; i < 20; i++) await post(rec.port, `/arm/${i}`, Buffer.alloc(3000, i));
    rec.child.kill('SIGTERM');
    expect((await rec.exited).code).toBe(0);
    expect(JSON.parse(rec.stdout())).toMatchObject({ recorded: 20, dropped: 0, archive: { io: expect.any(String) } });
    const read = readArchive(readFileSync(out));
    expect(read.bad).toBeNull();
    expect(read.records.map((r) => r.url)).toEqual(Array.from({ length: 20 }, (_, i) => `/arm/${i}`));
  });
});
