import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { runBroker, startRecorder } from '../app/broker-process.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';

const artifactName = `broker-${pkg.version}-linux-x64`;

function npmDist(outDir: string, o: { cwd?: string; cache?: string } = {}) {
  // GIT_OPTIONAL_LOCKS=0: git status in a copy must not rewrite the checkout's index (its stat data would be the copy's).
  const env = o.cache ? { ...process.env, BROKER_CACHE: o.cache, GIT_OPTIONAL_LOCKS: '0' } : process.env;
  return spawnSync('npm', ['run', '--silent', 'dist', '--', '--runtime', 'official', '--out', outDir], { cwd: o.cwd ?? repoRoot, encoding: 'utf8', env });
}

/**
 * The checkout's files (tracked and not ignored, as they are now) copied to another directory, node_modules linked:
 * a second build from there shares no path and, with its own cache, no stripped runtime or postject template with
 * the first, so nondeterminism in the download, strip, bundle or injection would show as different bytes.
 */
function checkoutCopy(): string {
  const dir = tempDir('dist-checkout');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repoRoot, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(repoRoot, f), join(dir, f));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  // SOURCE_DATE_EPOCH and the commit come from git: the copy answers from the same repository.
  symlinkSync(join(repoRoot, '.git'), join(dir, '.git'));
  return dir;
}

/** The real `npm run dist` path, twice, into temp dirs: what a user gets and whether it is reproducible. */
describe('npm run dist (official runtime)', () => {
  const first = tempDir('dist-a');
  const second = tempDir('dist-b');
  let log = '';

  beforeAll(() => {
    const a = npmDist(first);
    log = a.stdout + a.stderr;
    if (a.status !== 0) throw new Error(`npm run dist failed (${a.status}):\n${log}`);
    // Empty cache, another directory: nothing of the first build is reused.
    const b = npmDist(second, { cwd: checkoutCopy(), cache: tempDir('dist-cache-b') });
    if (b.status !== 0) throw new Error(`second npm run dist failed (${b.status}):\n${b.stdout}${b.stderr}`);
  }, 300_000);

  it('prints every step with its duration and ends with a portability report', () => {
    for (const step of ['runtime', 'assets', 'bundle', 'preflight', 'train', 'chunk caches', 'blob', 'inject', 'verify', 'checksum', 'manifest', 'report']) {
      expect(log).toMatch(new RegExp(`\\] ${step} ✓ \\d+\\.\\d\\d s`));
    }
    expect(log).toMatch(/verdict\s+dynamic: needs glibc >= 2\.28/);
  });

  it('the artifact answers --version with the package version', () => {
    const r = spawnSync(join(first, artifactName), ['--version'], { encoding: 'utf8', env: {} });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`broker ${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  it("the artifact knows it is a SEA on the official glibc runtime, started with the blob's Node options", () => {
    const j = JSON.parse(execFileSync(join(first, artifactName), ['version', '--json'], { encoding: 'utf8' }));
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    expect(j.commit.startsWith(head)).toBe(true);
    expect(j.self).toMatchObject({
      nodeVersion: pkg.runtimes.nodeVersion,
      sea: true,
      static: false,
      linkage: 'dynamic',
      libc: { family: 'glibc' },
      runtimeKind: 'official',
      execArgv: pkg.seal.nodeOptions,
      builtInV8Options: null,
      intl: { mode: 'full' },
    });
    expect(j.build.runtime.intl).toBe('full');
  });

  // src/recorder/listen.ts: an IP address is listened on directly (no lookup, no node:cluster); a host name is looked up.
  for (const [host, dns] of [
    ['127.0.0.1', false],
    ['localhost', true],
  ] as const) {
    it(`record --listen ${host}:0 ${dns ? 'looks the name up (node:dns)' : 'listens on the address without node:dns or node:cluster'} before it says it listens`, async () => {
      const hook = join(tempDir('dist-listen'), 'hook.cjs');
      writeFileSync(
        hook,
        `const w = process.stderr.write;
process.stderr.write = function (s, ...rest) {
  if (String(s).includes('listening on')) w.call(process.stderr, 'DNS ' + process.moduleLoadList.includes('NativeModule dns') + ' CLUSTER ' + process.moduleLoadList.includes('NativeModule cluster') + '\\n');
  return w.call(this, s, ...rest);
};\n`,
      );
      const child = spawn(join(first, artifactName), ['record', '--listen', `${host}:0`], { env: { NODE_OPTIONS: `--require ${hook}` } });
      let stderr = '';
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /listening on [^:]+:(\d+)/.exec(stderr);
          if (m) resolve(Number(m[1]));
        });
        void exited.then(() => reject(new Error(`broker exited before listening:\n${stderr}`)));
      });
      expect(stderr).toContain(`DNS ${dns} `);
      if (!dns) expect(stderr).toContain('CLUSTER false\n');
      // (localhost may be ::1 here: only the address is asked to answer.)
      if (!dns) expect((await fetch(`http://${host}:${port}/x`, { method: 'POST', body: 'one' })).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 60_000);
  }

  // cluster re-executes the binary by the name it was started with; a SEA worker must still find its command.
  for (const how of ['a relative path', 'a name found on PATH'] as const) {
    it(`record --workers 2 works when the artifact is started by ${how}`, async () => {
      const out = join(tempDir('dist-workers'), 'w.brk');
      const cmd = how === 'a relative path' ? `./${artifactName}` : artifactName;
      const child = spawn(cmd, ['record', '--listen', '127.0.0.1:0', '--workers', '2', '--out', out, '--json'], {
        cwd: first,
        env: { ...process.env, PATH: how === 'a relative path' ? process.env.PATH : `${first}:${process.env.PATH}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
          if (m) resolve(Number(m[1]));
        });
        void exited.then(() => reject(new Error(`broker exited before listening:\n${stderr}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/w`, { method: 'POST', body: 'one' });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ workers: 2, requests: 1, recorded: 1, error: null });
    }, 60_000);
  }

  // Issue 27 on the shipped runtime: HTTPS capture (OpenSSL of the official Node 22) and zstd (its zlib).
  it('the artifact records HTTPS with --tls-self-signed --workers 2 and zstd bodies, and reads them back', async () => {
    const bin = join(first, artifactName);
    const out = join(tempDir('dist-tls'), 't.brk');
    const r = await startRecorder(['--out', out, '--workers', '2', '--tls-self-signed', '--compress', 'zstd', '--json'], bin);
    const printed = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(r.stderr())?.[1];
    const body = 'zstd over TLS '.repeat(40);
    for (let i = 0; i < 4; i++) {
      const seen = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: r.port, path: `/t/${i}`, method: 'POST', servername: 'dist.example.test', rejectUnauthorized: false, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(`${res.statusCode} ${(res.socket as TLSSocket).getPeerCertificate().fingerprint256}`));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(seen).toBe(`200 ${printed}`);
    }
    const h2 = await new Promise<string>((resolve) => {
      const c = tlsConnect({ host: '127.0.0.1', port: r.port, ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => resolve('connected'));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(h2).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    expect(JSON.parse(r.stdout())).toMatchObject({ recorded: 4, tls: { fingerprint256: printed, h2Refused: 1 }, error: null });
    const cat = await runBroker(['cat', out, '--json', '--filter', 'tls=1 && sni=dist.example.test'], bin);
    expect(cat.code).toBe(0);
    expect(
      cat.stdout
        .trim()
        .split('\n')
        .map((l) => Buffer.from(JSON.parse(l).body, 'base64').toString()),
    ).toEqual([body, body, body, body]);
    const stats = JSON.parse((await runBroker(['stats', out, '--json'], bin)).stdout);
    // zstd batches (format 4): the records' bodies read back uncompressed, the batches counted apart.
    expect(stats).toMatchObject({ requests: 4, codecs: { none: 4 }, tls: { requests: 4, sni: { 'dist.example.test': 4 } } });
    expect(stats.batches.count).toBeGreaterThan(0);
    expect((await runBroker(['verify', out], bin)).code).toBe(0);
  }, 60_000);

  it('the artifact rejects an unknown command with exit 2', () => {
    const r = spawnSync(join(first, artifactName), ['nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'nope'");
  });

  it('SHA256SUMS verifies and manifest.json describes the artifact', () => {
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: first, encoding: 'utf8' })).toBe(`${artifactName}: OK\n${artifactName}.map: OK\n`);
    const m = JSON.parse(readFileSync(join(first, 'manifest.json'), 'utf8'));
    const entry = m.artifacts[artifactName];
    expect(entry.runtime).toMatchObject({ kind: 'official', nodeVersion: pkg.runtimes.nodeVersion, libc: 'glibc' });
    expect(entry.sourceMap).toMatchObject({ file: `${artifactName}.map`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // broker's seal.lazy: each chunk and the code cache its load left are inputs of the blob.
    const inputs = entry.inputs.map((i: { name: string }) => i.name);
    for (const name of pkg.seal.lazy) expect(inputs).toEqual(expect.arrayContaining([`lazy chunk (seal-lazy/${name}.cjs)`, `code cache (seal-lazy/${name}.cache)`]));
    // The manifest holds the timings of every step before it; its own and the report's come after it is written.
    expect(entry.steps.map((s: { step: string }) => s.step)).toEqual(['runtime', 'assets', 'bundle', 'preflight', 'train', 'chunk caches', 'blob', 'inject', 'verify', 'source map', 'checksum']);
  });

  it('two builds of the same commit are byte-identical', () => {
    expect(readFileSync(join(second, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(first, 'SHA256SUMS'), 'utf8'));
    expect(readFileSync(join(second, artifactName)).equals(readFileSync(join(first, artifactName)))).toBe(true);
  });
});

/** broker built with --startup snapshot (seal.startup): main.ts hands its main to the snapshot; every command still works. */
describe('npm run dist -- --startup snapshot (official runtime)', () => {
  const out = tempDir('dist-snapshot');
  const bin = join(out, artifactName);

  beforeAll(() => {
    const r = spawnSync('npm', ['run', '--silent', 'dist', '--', '--runtime', 'official', '--startup', 'snapshot', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run dist -- --startup snapshot failed (${r.status}):\n${r.stdout}${r.stderr}`);
    expect(r.stdout).toMatch(/blob ✓ .*start-up: snapshot/);
  }, 120_000);

  it('answers --version and says how it was built', () => {
    expect(spawnSync(bin, ['--version'], { encoding: 'utf8', env: {} })).toMatchObject({ status: 0, stdout: `broker ${pkg.version}\n`, stderr: '' });
    const j = JSON.parse(execFileSync(bin, ['version', '--json'], { encoding: 'utf8' }));
    expect(j.build.startup).toBe('snapshot');
    expect(j.self).toMatchObject({ sea: true, execArgv: pkg.seal.nodeOptions });
  });

  it('records with --workers 2 and --compress zstd (cluster workers and the writing thread start from the snapshot too), and reads the archive back', async () => {
    const archive = join(tempDir('dist-snapshot-rec'), 's.brk');
    const r = await startRecorder(['--out', archive, '--workers', '2', '--compress', 'zstd', '--json'], bin);
    for (let i = 0; i < 6; i++) expect((await fetch(`http://127.0.0.1:${r.port}/s/${i}`, { method: 'POST', body: `b${i}` })).status).toBe(200);
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    expect(JSON.parse(r.stdout())).toMatchObject({ workers: 2, requests: 6, recorded: 6, error: null });
    const stats = await runBroker(['stats', archive, '--json'], bin);
    expect(JSON.parse(stats.stdout)).toMatchObject({ requests: 6, intact: true });
  }, 60_000);
});

describe('npm run inspect', () => {
  const inspect = (...args: string[]) => spawnSync('npm', ['run', '--silent', 'inspect', '--', ...args], { cwd: repoRoot, encoding: 'utf8' });

  it('--json on /bin/ls', () => {
    const r = inspect('/bin/ls', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ class: 'ELF64', linkage: 'dynamic', interpreter: '/lib64/ld-linux-x86-64.so.2' });
  });

  it('a non-ELF file is a clear error with exit 1, a usage mistake exit 2', () => {
    const bad = inspect('/etc/passwd');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('error: /etc/passwd: not an ELF file: the first bytes are not \\x7fELF');
    expect(inspect().status).toBe(2);
  });
});
