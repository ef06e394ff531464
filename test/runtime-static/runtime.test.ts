import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { JEMALLOC_CONF } from '../../build/runtime/static/allocator.ts';
import { allocatorAnswers, jemallocBuiltInConf } from '../../build/runtime/static/allocator-proof.ts';
import { V8_OPTIONS } from '../../build/runtime/static/configure-flags.ts';
import { elfFacts } from '../../build/runtime/static/elf-check.ts';
import { pageSizeProblem } from '../../build/runtime/static/page-size.ts';
import { STATIC_ARCHES, STATIC_TARGETS } from '../../build/runtime/static/target.ts';
import { BINFMT_DIR, targetExecutionProblem } from '../../build/runtime/static/target-exec.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { missingHostPrograms } from '../../shared/toolchain/host-programs.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { describeWhen, firstMissing, prerequisite } from '../fixtures/skip.ts';

const isRoot = process.getuid?.() === 0;

/** What jemalloc prints at start under qemu-user only (qemu does not zero on MADV_DONTNEED). */
const QEMU_JEMALLOC_NOTE = /^<jemalloc>: (MADV_DONTNEED does not work \(memset will be used instead\)|\(This is the expected behaviour if you are running under QEMU\))\n/gm;

// Everything a broker process leans on, in one script: threads, zlib, crypto, fs, HTTP on loopback.
const SCRIPT = `
const { Worker } = require('node:worker_threads');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
(async () => {
  const fromWorker = await new Promise((res, rej) => {
    const w = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
    w.once('message', res); w.once('error', rej);
  });
  const text = 'static '.repeat(1000);
  const zipped = zlib.gunzipSync(zlib.gzipSync(text)).toString() === text
    && zlib.brotliDecompressSync(zlib.brotliCompressSync(text)).toString() === text;
  const digest = crypto.createHash('sha256').update('broker').digest('hex');
  fs.writeFileSync('/scratch/f.txt', 'fs ok');
  const file = fs.readFileSync('/scratch/f.txt', 'utf8');
  const server = http.createServer((req, res) => res.end('pong ' + req.url));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const body = await new Promise((res, rej) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path: '/x' }, (r) => {
      let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => res(b));
    }).on('error', rej);
  });
  server.close();
  console.log(JSON.stringify({ fromWorker, zipped, digest, file, body }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

// An empty environment has no PATH: name chroot by its path.
const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p)) ?? 'chroot';

for (const arch of STATIC_ARCHES) {
  const target = STATIC_TARGETS[arch];
  const runtime = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', arch);
  const emulated = arch !== process.arch;
  const flag = arch === 'x64' ? '' : ` --arch ${arch}`;
  // Locally a missing runtime skips these proofs, loudly; in strict mode (BROKER_STRICT_PREREQUISITES=1, the workflow's test job) it fails them (the workflow restores the runtime).
  const need = firstMissing(
    prerequisite(`a cached linux-${arch} static runtime`, runtime ? '' : `none under ${cacheRoot()}/runtimes; build it with npm run runtime --${flag} --detach (hours)`),
    prerequisite(`linux-${arch} programs running on this host`, emulated ? targetExecutionProblem(target) : ''),
  );
  // In a chroot the kernel must already hold qemu open: binfmt_misc's F flag.
  const binfmtFlags = emulated && existsSync(join(BINFMT_DIR, target.qemu)) ? readFileSync(join(BINFMT_DIR, target.qemu), 'utf8') : '';
  const chrootSkip = !isRoot ? ' [SKIPPED: chroot needs root]' : emulated && !/^flags: \S*F/m.test(binfmtFlags) ? ` [SKIPPED: the ${target.qemu} binfmt_misc entry lacks the F flag, so qemu is not found inside a chroot]` : '';

  describeWhen(need, `linux-${arch} static runtime${emulated ? ' (under qemu via binfmt_misc)' : ''}`, () => {
    const root = mkdtempSync(join(tmpdir(), 'broker-chroot-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it(`is static ${target.elfMachine}: no PT_INTERP, no DT_NEEDED, a PT_NOTE for postject`, () => {
      expect(elfFacts(runtime!.path)).toEqual({ machine: target.elfMachine, interpreter: false, needed: [], note: true });
      expect(runtime).toMatchObject({ kind: 'static', arch, libc: 'musl', allocator: 'jemalloc', intl: 'full', icu: '78.3' });
    });

    // tree-fixes.ts's listen edits: an IP address needs neither node:dns nor node:cluster, and is bound on the next tick
    // as Node's lookup would bind it (address() still null right after listen()); a host name still goes through dns.
    it('listens on an IP address without loading dns or cluster, a tick later as Node does; a host name is still looked up', () => {
      const script = `
const net = require('node:net');
const loaded = () => process.moduleLoadList.filter((m) => /^NativeModule (dns|cluster)$/.test(m));
const server = net.createServer().listen(0, '127.0.0.1', () => {
  const first = { before, after: server.address().address, loaded: loaded() };
  server.close(() => {
    const named = net.createServer().listen(0, 'localhost', () => {
      console.log(JSON.stringify({ ...first, named: loaded() }));
      named.close();
    });
  });
});
const before = server.address();`;
      const r = spawnSync(runtime!.path, ['-e', script], { encoding: 'utf8', env: {} });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ before: null, after: '127.0.0.1', loaded: [], named: ['NativeModule dns'] });
    });

    // Issue 20: without ICU a bundle that merely contains \p{…} failed to load (SyntaxError at parse).
    it('has full ICU: Unicode property escapes parse, Segmenter and locales work', { timeout: 60_000 }, () => {
      const script = `const id = /^\\p{ID_Start}\\p{ID_Continue}*$/u;
const words = [...new Intl.Segmenter('th', { granularity: 'word' }).segment('สวัสดีครับ')].length;
console.log(JSON.stringify([id.test('naïve_ж1'), words, (1234.5).toLocaleString('de-DE'), 'İ'.toLocaleLowerCase('tr'), new TextDecoder('latin1').decode(Uint8Array.of(0xe9))]));`;
      const out = execFileSync(runtime!.path, ['-e', script], { encoding: 'utf8', env: {} });
      expect(JSON.parse(out)).toEqual([true, 2, '1.234,5', 'i', 'é']);
    });

    it("starts V8 as Node does (no built-in V8 options: the young generation at V8's size); a program can still set it", { timeout: 60_000 }, () => {
      expect(V8_OPTIONS).toEqual([]);
      const newSpace = 'console.log(require("v8").getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 2 ** 20, JSON.stringify(process.config.variables.node_v8_options ?? ""))';
      // 1 MiB: V8's own start (a runtime built with --min-semi-space-size=16 said 16).
      expect(execFileSync(runtime!.path, ['-e', newSpace], { encoding: 'utf8', env: {} }).trim()).toBe('1 ""');
      expect(execFileSync(runtime!.path, ['--min-semi-space-size=2', '-e', newSpace], { encoding: 'utf8', env: {} }).trim()).toBe('2 ""');
    });

    it("gives V8 fresh entropy at every start (from the kernel, not OpenSSL's DRBG) and crypto its own", { timeout: 60_000 }, () => {
      // Math.random's state and the string hash seed are seeded from V8's entropy source: two starts must differ.
      const script = 'console.log(JSON.stringify([Math.random(), require("crypto").randomBytes(16).toString("hex"), require("crypto").randomUUID().length]))';
      const [a, b] = [0, 1].map(() => JSON.parse(execFileSync(runtime!.path, ['-e', script], { encoding: 'utf8', env: {} })) as [number, string, number]);
      expect(a?.[0]).not.toBe(b?.[0]);
      expect(a?.[1]).not.toBe(b?.[1]);
      expect(a?.[1]).toMatch(/^[0-9a-f]{32}$/);
      expect(a?.[2]).toBe(36);
    });

    it('has no glibc symbol versions in it', () => {
      expect(readFileSync(runtime!.path).includes('GLIBC_2.')).toBe(false);
    });

    it('reports no glibc at run time (musl)', { timeout: 60_000 }, () => {
      const out = execFileSync(runtime!.path, ['-p', "process.report.getReport().header.glibcVersionRuntime ?? 'none'"], { encoding: 'utf8' });
      expect(out.trim()).toBe('none');
    });

    it('prints jemalloc statistics at exit with MALLOC_CONF=stats_print:true', { timeout: 60_000 }, () => {
      expect(allocatorAnswers(runtime!.path, ['-e', 'Buffer.alloc(1 << 20)'])).toBe('jemalloc');
    });

    it("carries broker's jemalloc settings built in (one arena per CPU, background purging)", { timeout: 60_000 }, () => {
      expect(jemallocBuiltInConf(runtime!.path, ['-e', '0'])).toBe(JEMALLOC_CONF);
    });

    // Only a target whose kernels use more than 4K pages (arm64: 16K, 64K) has page sizes to try.
    if (target.largestPageLg !== undefined) {
      const qemuUser = `${target.qemu}-static`;
      const noQemu = missingHostPrograms({ [qemuUser]: 'qemu-user-static' }).length > 0 ? ` (skipped: no ${qemuUser} to run it on other page sizes: apt-get install -y qemu-user-static)` : '';
      it.skipIf(noQemu !== '')(`starts on every page size its kernels use (qemu -p)${noQemu}`, { timeout: 300_000 }, () => {
        expect(pageSizeProblem(target, runtime!.path, ['-e', 'Buffer.alloc(1 << 20)'])).toBeUndefined();
      });
    }

    it.skipIf(chrootSkip !== '')(`runs from an empty root filesystem with an empty environment${chrootSkip}`, { timeout: 300_000 }, () => {
      mkdirSync(join(root, 'scratch'));
      copyFileSync(runtime!.path, join(root, 'node'));
      execFileSync('chmod', ['755', join(root, 'node')]);
      writeFileSync(join(root, 'probe.js'), SCRIPT);
      const version = spawnSync(CHROOT, [root, '/node', '--version'], { env: {}, encoding: 'utf8' });
      expect(version.stdout.trim()).toBe(`v${runtime!.nodeVersion}`);
      const run = spawnSync(CHROOT, [root, '/node', '/probe.js'], { env: {}, encoding: 'utf8', timeout: 240_000 });
      expect(emulated ? run.stderr.replace(QEMU_JEMALLOC_NOTE, '') : run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({
        fromWorker: 42,
        zipped: true,
        digest: createHash('sha256').update('broker').digest('hex'),
        file: 'fs ok',
        body: 'pong /x',
      });
    });
  });
}
