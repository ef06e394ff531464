import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../build/cache.ts';
import { allocatorAnswers } from '../../build/runtime/static/allocator-proof.ts';
import { elfFacts } from '../../build/runtime/static/elf-check.ts';
import { STATIC_TARGETS } from '../../build/runtime/static/target.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { broker: { nodeVersion: string } };
const runtime = cachedStaticRuntime(cacheRoot(), pkg.broker.nodeVersion, 'jemalloc');
const isRoot = process.getuid?.() === 0;
const SKIP = runtime
  ? ''
  : ` [SKIPPED: no static runtime cached under ${cacheRoot()}/runtimes; build it with npm run runtime -- --detach (hours)]`;

if (!runtime) console.warn(`static runtime proofs${SKIP}`);

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

describe(`static runtime${SKIP}`, () => {
  const root = mkdtempSync(join(tmpdir(), 'broker-chroot-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.skipIf(!runtime)('is static x86-64: no PT_INTERP, no DT_NEEDED, a PT_NOTE for postject', () => {
    expect(elfFacts(runtime!.path)).toEqual({ machine: STATIC_TARGETS.x64.elfMachine, interpreter: false, needed: [], note: true });
    expect(runtime).toMatchObject({ kind: 'static', libc: 'musl', allocator: 'jemalloc' });
  });

  it.skipIf(!runtime)('has no glibc symbol versions in it', () => {
    expect(readFileSync(runtime!.path).includes('GLIBC_2.')).toBe(false);
  });

  it.skipIf(!runtime)('reports no glibc at run time (musl)', () => {
    const out = execFileSync(runtime!.path, ['-p', "process.report.getReport().header.glibcVersionRuntime ?? 'none'"], { encoding: 'utf8' });
    expect(out.trim()).toBe('none');
  });

  it.skipIf(!runtime)('prints jemalloc statistics at exit with MALLOC_CONF=stats_print:true', () => {
    expect(allocatorAnswers(runtime!.path, ['-e', 'Buffer.alloc(1 << 20)'])).toBe('jemalloc');
  });

  it.skipIf(!runtime || !isRoot)(
    `runs from an empty root filesystem with an empty environment${isRoot ? '' : ' [SKIPPED: chroot needs root]'}`,
    { timeout: 120_000 },
    () => {
      mkdirSync(join(root, 'scratch'));
      copyFileSync(runtime!.path, join(root, 'node'));
      execFileSync('chmod', ['755', join(root, 'node')]);
      writeFileSync(join(root, 'probe.js'), SCRIPT);
      const version = spawnSync(CHROOT, [root, '/node', '--version'], { env: {}, encoding: 'utf8' });
      expect(version.stdout.trim()).toBe(`v${runtime!.nodeVersion}`);
      const run = spawnSync(CHROOT, [root, '/node', '/probe.js'], { env: {}, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({
        fromWorker: 42,
        zipped: true,
        digest: createHash('sha256').update('broker').digest('hex'),
        file: 'fs ok',
        body: 'pong /x',
      });
    },
  );
});
