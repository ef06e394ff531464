// record --tls-pfx FILE [--tls-passphrase-file FILE] (issue 27): a PKCS#12 bundle made by the openssl CLI at test
// time. Every problem with it (unreadable, not PKCS#12, wrong or missing passphrase, no key or certificate in it,
// legacy encryption, expired or not yet valid) is exit 2 naming the file before anything listens; it excludes the
// other certificate options; and it serves HTTPS, alone and with --workers, on this host's Node and on the official
// Node 22 runtime (whose OpenSSL is the one that reads the bundle in the executable).

import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { beforeAll, expect, it } from 'vitest';
import { missingHostPrograms } from '../../shared/toolchain/host-programs.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { nodeFor, PROCESS_RUNTIMES, runtimeNeed, runtimeTitle } from '../fixtures/runtime.ts';
import { describeWhen, firstMissing, prerequisite } from '../fixtures/skip.ts';
import { type BrokerBin, runBroker, startRecorder } from './broker-process.ts';
import { scratchDir } from './fault-scratch.ts';
import { type CertFiles, certFiles, pfxFile } from './tls-fixtures.ts';

// Removed, with any broker left running and the test bundle, after the file.
const dir = scratchDir('pfx');
let n = 0;
const file = () => join(dir, `t${n++}.brk`);
const see = "(see 'broker record --help')";

let good: CertFiles;
let pfx: string;
let unprotected: string;
let passFile: string;
let wrongPassFile: string;
let expiredPfx: string;
let futurePfx: string;
// The bundles are made with the openssl command, which a minimal Debian lacks (.ci/run installs it).
const opensslNeed = prerequisite('the openssl command (it makes the PKCS#12 files)', missingHostPrograms({ openssl: 'openssl' }).length === 0 ? '' : 'not installed (apt-get install openssl)');
beforeAll(async () => {
  if (opensslNeed.missing) return;
  good = await certFiles(dir, 'good');
  // A passphrase with a space, in a file whose first line it is (a line ending and more lines follow).
  pfx = pfxFile(dir, good, 'good', 'open sesame');
  passFile = join(dir, 'pass.txt');
  writeFileSync(passFile, 'open sesame\r\nnot this line\n', { mode: 0o600 });
  wrongPassFile = join(dir, 'wrong-pass.txt');
  writeFileSync(wrongPassFile, 'open sesame!\n');
  unprotected = pfxFile(dir, good, 'unprotected', '');
  const expired = await certFiles(dir, 'expired', { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2021-01-01T00:00:00Z') });
  const future = await certFiles(dir, 'future', { from: new Date('2099-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') });
  expiredPfx = pfxFile(dir, expired, 'expired', 'open sesame');
  futurePfx = pfxFile(dir, future, 'future', 'open sesame');
});

/** One HTTPS POST on a fresh connection that trusts only `ca`: its status and the certificate's fingerprint. */
function httpsPost(port: number, path: string, ca: string): Promise<{ status: number; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, ca, servername: 'localhost' }, (res: IncomingMessage) => {
      const answer = { status: res.statusCode ?? 0, fingerprint256: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 };
      res.resume();
      res.on('end', () => resolve(answer));
    });
    req.on('error', reject);
    req.end('x');
  });
}

it('record --help lists --tls-pfx and --tls-passphrase-file', async () => {
  const r = await run('record', '--help');
  expect(r.out).toContain('[--tls-cert FILE --tls-key FILE | --tls-pfx FILE [--tls-passphrase-file FILE] | --tls-self-signed]');
  expect(r.out).toMatch(/\n {2}--tls-pfx FILE +serve HTTPS with the certificate \(chain\) and key of this PKCS#12 bundle/);
  expect(r.out).toMatch(/\n {2}--tls-passphrase-file FILE\n +the --tls-pfx passphrase: FILE's first line/);
});

describeWhen(opensslNeed, '--tls-pfx problems: exit 2 naming the file and the problem, before anything listens', () => {
  it('each problem has its message', async () => {
    const notPfx = join(dir, 'not-pfx.bin');
    writeFileSync(notPfx, 'hello\n');
    const noKey = pfxFile(dir, good, 'no-key', 'open sesame', ['-nokeys']);
    const legacy = pfxFile(dir, good, 'legacy', 'open sesame', ['-legacy']);
    const missing = join(dir, 'missing.p12');
    const cases: [string[], string][] = [
      [['--tls-pfx', missing], `--tls-pfx ${missing}: cannot read it: no such file (it must be a readable PKCS#12 file) ${see}`],
      [['--tls-pfx', dir], `--tls-pfx ${dir}: cannot read it: is a directory (it must be a readable PKCS#12 file) ${see}`],
      [['--tls-pfx', pfx, '--tls-passphrase-file', join(dir, 'missing.txt')], `--tls-passphrase-file ${join(dir, 'missing.txt')}: cannot read it: no such file (it must be a readable file whose first line is the passphrase) ${see}`],
      [['--tls-pfx', notPfx], `--tls-pfx ${notPfx}: not a PKCS#12 file (it does not start like a PKCS#12 (DER) file) ${see}`],
      [['--tls-pfx', good.cert], `--tls-pfx ${good.cert}: not a PKCS#12 file (it is PEM text: give PEM files as --tls-cert and --tls-key) ${see}`],
      [['--tls-pfx', pfx], `--tls-pfx ${pfx}: it is protected by a passphrase: give it in a file with --tls-passphrase-file FILE ${see}`],
      [['--tls-pfx', pfx, '--tls-passphrase-file', wrongPassFile], `--tls-passphrase-file ${wrongPassFile}: wrong passphrase for --tls-pfx ${pfx} (mac verify failure) ${see}`],
      [['--tls-pfx', noKey, '--tls-passphrase-file', passFile], `--tls-pfx ${noKey}: it holds no private key (it must hold the certificate and its key) ${see}`],
      [
        ['--tls-pfx', legacy, '--tls-passphrase-file', passFile],
        `--tls-pfx ${legacy}: its encryption is not supported (Unsupported PKCS12 PFX data); a legacy bundle (RC2/3DES, as OpenSSL 1.x made) can be exported again with OpenSSL 3's openssl pkcs12 -export (AES-256) ${see}`,
      ],
      [['--tls-pfx', expiredPfx, '--tls-passphrase-file', passFile], `--tls-pfx ${expiredPfx}: the certificate expired on 2021-01-01T00:00:00.000Z ${see}`],
      [['--tls-pfx', futurePfx, '--tls-passphrase-file', passFile], `--tls-pfx ${futurePfx}: the certificate is not valid until 2099-01-01T00:00:00.000Z ${see}`],
      [['--tls-pfx', ''], `--tls-pfx needs a file name ${see}`],
      [['--tls-pfx', pfx, '--tls-passphrase-file', ''], `--tls-passphrase-file needs a file name ${see}`],
      [['--tls-passphrase-file', passFile], `--tls-passphrase-file needs --tls-pfx FILE, the PKCS#12 bundle it opens ${see}`],
      [['--tls-pfx', pfx, '--tls-cert', good.cert, '--tls-key', good.key], `--tls-pfx holds the certificate and its key: give it alone, or --tls-cert and --tls-key instead ${see}`],
      [['--tls-pfx', pfx, '--tls-key', good.key], `--tls-pfx holds the certificate and its key: give it alone, or --tls-cert and --tls-key instead ${see}`],
      [['--tls-pfx', pfx, '--tls-self-signed'], `--tls-self-signed makes its own certificate: give it alone, or --tls-pfx instead ${see}`],
    ];
    for (const [args, message] of cases) {
      const r = await run('record', ...args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: `broker: ${message}` });
    }
  });

  it('a bundle with no certificate in it', async () => {
    // -nocerts: openssl writes only the key.
    const noCert = pfxFile(dir, good, 'no-cert', 'open sesame', ['-nocerts']);
    const r = await run('record', '--tls-pfx', noCert, '--tls-passphrase-file', passFile);
    expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: `broker: --tls-pfx ${noCert}: it holds no certificate (it must hold the certificate and its key) ${see}` });
  });

  it('as a process: exit 2, no listening line, no archive created (also with --workers)', async () => {
    for (const workers of [[], ['--workers', '2']]) {
      const out = file();
      const r = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', out, '--tls-pfx', pfx, '--tls-passphrase-file', wrongPassFile, ...workers]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `broker: --tls-passphrase-file ${wrongPassFile}: wrong passphrase for --tls-pfx ${pfx} (mac verify failure) ${see}\n` });
      expect(() => readFileSync(out)).toThrow(/ENOENT/);
    }
  });
});

for (const runtime of PROCESS_RUNTIMES) {
  describeWhen(firstMissing(opensslNeed, runtimeNeed(runtime)), `record --tls-pfx (${runtimeTitle(runtime)})`, () => {
    let bin: BrokerBin | undefined;
    beforeAll(async () => {
      bin = await nodeFor(runtime);
    });

    it('serves HTTPS with the bundle, opened with the first line of --tls-passphrase-file; prints its fingerprint', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--tls-pfx', pfx, '--tls-passphrase-file', passFile, '--json'], bin);
      expect(r.stderr()).toContain(`TLS with ${pfx}, SHA-256 fingerprint ${good.fingerprint256}`);
      expect(r.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+ over TLS/);
      expect(await httpsPost(r.port, '/p', good.pem)).toEqual({ status: 200, fingerprint256: good.fingerprint256 });
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      expect(JSON.parse(r.stdout())).toMatchObject({ recorded: 1, tls: { fingerprint256: good.fingerprint256, selfSigned: false } });
      expect(readArchive(readFileSync(out)).records.map((x) => [x.url, x.tls, x.sni])).toEqual([['/p', true, 'localhost']]);
    });

    it('a bundle without a passphrase needs no --tls-passphrase-file', async () => {
      const r = await startRecorder(['--tls-pfx', unprotected], bin);
      expect((await httpsPost(r.port, '/u', good.pem)).status).toBe(200);
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
    });

    it('--workers 2: every worker serves the bundle whose fingerprint was printed', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--workers', '2', '--tls-pfx', pfx, '--tls-passphrase-file', passFile, '--json'], bin);
      expect(r.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+ over TLS with 2 workers/);
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const a = await httpsPost(r.port, `/w/${i}`, good.pem);
        expect(a.status).toBe(200);
        seen.add(a.fingerprint256);
      }
      expect([...seen]).toEqual([good.fingerprint256]);
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
      const summary = JSON.parse(r.stdout());
      expect(summary).toMatchObject({ workers: 2, recorded: 12, tls: { fingerprint256: good.fingerprint256 } });
      expect(readArchive(readFileSync(out)).records).toHaveLength(12);
    });
  });
}
