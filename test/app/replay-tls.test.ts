// replay to https targets (issue 27): --ca FILE trusts a CA (or a server's own certificate) besides Node's
// default ones, --insecure takes any certificate and warns, and without either a certificate Node does not
// trust stops the replay at once with one line naming the cause and what to give. A bad --ca, --ca with
// --insecure, or either with no https target is exit 2. Against a local HTTPS server with throwaway
// certificates, and end to end against `broker record` over TLS as a real process on both runtimes.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { nodeFor, PROCESS_RUNTIMES, runtimeNeed, runtimeTitle } from '../fixtures/runtime.ts';
import { describeWhen } from '../fixtures/skip.ts';
import { archiveBytes, sampleRecord } from './archive-fixtures.ts';
import { type BrokerBin, runBroker, startRecorder } from './broker-process.ts';
import { scratchDir } from './fault-scratch.ts';
import { type CertFiles, certFiles } from './tls-fixtures.ts';

// Removed, with any broker left running and the test bundle, after the file.
const dir = scratchDir('replay-tls');
const archive = join(dir, 'five.brk');
const servers: (Server | import('node:http').Server)[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});
const see = "(see 'broker replay --help')";
const WARNING = 'broker: warning: --insecure: the certificates of https targets are not checked; anyone between here and the target can read and change the traffic';

let good: CertFiles;
let other: CertFiles;
let expired: CertFiles;
beforeAll(async () => {
  good = await certFiles(dir, 'good');
  other = await certFiles(dir, 'other');
  expired = await certFiles(dir, 'expired', { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2021-01-01T00:00:00Z') });
  writeFileSync(
    archive,
    archiveBytes(5, 0, undefined, (i) => `/r/${i}`),
  );
});

/** An HTTPS server with `c`'s certificate on `host`: its URL and the paths it was sent. */
async function httpsServer(c: CertFiles, host = '127.0.0.1') {
  const got: string[] = [];
  const s = createServer({ cert: readFileSync(c.cert), key: readFileSync(c.key) }, (req, res) => req.resume().on('end', () => (got.push(req.url ?? ''), res.end())));
  servers.push(s);
  await new Promise<void>((res) => s.listen(0, host, res));
  return { url: `https://${host}:${(s.address() as { port: number }).port}`, got };
}

it('replay --help lists --ca and --insecure', async () => {
  const r = await run('replay', '--help');
  expect(r.out).toContain('[--ca FILE | --insecure]');
  expect(r.out).toMatch(/\n {2}--ca FILE +https targets: trust the CA certificates in FILE \(PEM/);
  expect(r.out).toMatch(/\n {2}--insecure +https targets: take any certificate, unchecked/);
});

describe('replay to an https target', () => {
  it('without --ca or --insecure, a self-signed certificate stops the replay: one line naming the cause and --ca/--insecure, exit 1', async () => {
    const t = await httpsServer(good);
    const r = await run('replay', archive, '--target', t.url, '--concurrency', '1', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ sent: 1, responses: 0, errors: { DEPTH_ZERO_SELF_SIGNED_CERT: 1 }, certificateRejected: { target: t.url, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', reason: 'self-signed certificate' } });
    // The records read before it stopped (one, on one connection): it said 0, the walk's end never counted.
    expect(report.archive).toEqual({ records: 1, bad: null });
    expect(r.err).toBe(
      `broker: ${t.url}: its certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); stopped sending: give the CA that signed it (or the certificate itself) with --ca FILE, or --insecure to send without checking certificates`,
    );
    expect(t.got).toEqual([]);
  });

  it('--ca FILE with the certificate: every request is sent and answered, exit 0', async () => {
    const t = await httpsServer(good);
    const r = await run('replay', archive, '--target', t.url, '--ca', good.cert, '--concurrency', '2', '--json');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toMatchObject({ sent: 5, responses: 5, statuses: { 200: 5 }, errors: {} });
    expect(t.got.sort()).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4']);
  });

  it('--ca FILE of several certificates (a bundle): the one that matches is used', async () => {
    const t = await httpsServer(good);
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `${readFileSync(other.cert, 'latin1')}\n${readFileSync(good.cert, 'latin1')}`);
    expect((await run('replay', archive, '--target', t.url, '--ca', bundle)).code).toBe(0);
    expect(t.got).toHaveLength(5);
  });

  it('--ca FILE without the certificate: stops, and the line says that FILE does not hold it', async () => {
    const t = await httpsServer(good);
    const r = await run('replay', archive, '--target', t.url, '--ca', other.cert, '--concurrency', '1');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `broker: ${t.url}: its certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); stopped sending: --ca ${other.cert} holds neither it nor the CA that signed it; give that one with --ca, or --insecure to send without checking certificates`,
    );
    expect(r.out).toMatch(/^broker replay: 1 requests to /);
    expect(t.got).toEqual([]);
  });

  it('an expired certificate, even one --ca trusts, is refused: only --insecure lets it through', async () => {
    const t = await httpsServer(expired);
    const r = await run('replay', archive, '--target', t.url, '--ca', expired.cert, '--concurrency', '1');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`broker: ${t.url}: its certificate is refused (CERT_HAS_EXPIRED: certificate has expired); stopped sending: only --insecure (sending without checking certificates) lets it through`);
    const insecure = await run('replay', archive, '--target', t.url, '--insecure');
    expect({ code: insecure.code, err: insecure.err }).toEqual({ code: 0, err: WARNING });
    expect(t.got).toHaveLength(5);
  });

  it('a certificate for other names: the line says to name the target by one of its names', async () => {
    // The certificate names 127.0.0.1, localhost and api.example.test; 127.0.0.2 is the loopback too.
    const t = await httpsServer(good, '127.0.0.2');
    const r = await run('replay', archive, '--target', t.url, '--ca', good.cert, '--concurrency', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^broker: ${t.url.replaceAll('.', '\\.')}: its certificate is refused \\(ERR_TLS_CERT_ALTNAME_INVALID: .*127\\.0\\.0\\.2.*\\); stopped sending: name the target by a name the certificate holds, or give --insecure to send without checking certificates$`,
      ),
    );
  });

  it('--insecure: any certificate is taken, and one warning line on stderr says so', async () => {
    const t = await httpsServer(good);
    const r = await run('replay', archive, '--target', t.url, '--insecure', '--json');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: WARNING });
    expect(JSON.parse(r.out)).toMatchObject({ sent: 5, statuses: { 200: 5 } });
    expect(t.got).toHaveLength(5);
  });

  it('--ca applies to --tls-target too: the records that came over TLS go to the https target, the others to the http one', async () => {
    const mixed = join(dir, 'mixed.brk');
    const frames = [0, 1, 2, 3, 4].map((i) => {
      const r = { ...sampleRecord(i), url: `/m/${i}`, ...(i % 2 ? { sni: 'localhost' } : {}) };
      const b = Buffer.alloc(12 + recordPayloadSize(r));
      encodeRequestFrame(b, 0, r, 0);
      return b;
    });
    writeFileSync(mixed, Buffer.concat([Buffer.from(encodeHeader()), ...frames]));
    const plainGot: string[] = [];
    const plain = createHttpServer((req, res) => req.resume().on('end', () => (plainGot.push(req.url ?? ''), res.end())));
    servers.push(plain);
    await new Promise<void>((res) => plain.listen(0, '127.0.0.1', res));
    const t = await httpsServer(good);
    const r = await run('replay', mixed, '--target', `http://127.0.0.1:${(plain.address() as { port: number }).port}`, '--tls-target', t.url, '--ca', good.cert, '--concurrency', '1');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect({ plainGot, tlsGot: t.got }).toEqual({ plainGot: ['/m/0', '/m/2', '/m/4'], tlsGot: ['/m/1', '/m/3'] });
  });
});

describe('--ca and --insecure mistakes: exit 2 before anything is sent', () => {
  it('each has its message', async () => {
    const t = await httpsServer(good);
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello\n');
    const garbled = join(dir, 'garbled.pem');
    writeFileSync(garbled, `${readFileSync(good.cert, 'latin1')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    const missing = join(dir, 'missing.pem');
    const cases: [string[], RegExp | string][] = [
      [['--target', t.url, '--ca', missing], `--ca ${missing}: cannot read it: no such file (it must be a readable file of PEM CA certificates) ${see}`],
      [['--target', t.url, '--ca', dir], `--ca ${dir}: cannot read it: is a directory (it must be a readable file of PEM CA certificates) ${see}`],
      [['--target', t.url, '--ca', notPem], `--ca ${notPem}: no PEM certificate in it (no -----BEGIN CERTIFICATE----- block) ${see}`],
      [['--target', t.url, '--ca', good.key], `--ca ${good.key}: no PEM certificate in it (no -----BEGIN CERTIFICATE----- block) ${see}`],
      [['--target', t.url, '--ca', garbled], new RegExp(`^--ca ${garbled}: certificate 2 of 2 cannot be read \\(.+\\) \\(see 'broker replay --help'\\)$`)],
      [['--target', t.url, '--ca', ''], `--ca must be a file of PEM CA certificates, got '' ${see}`],
      [['--target', t.url, '--ca', good.cert, '--insecure'], `--insecure checks no certificate, so --ca ${good.cert} would change nothing: give one of them ${see}`],
      [['--target', 'http://127.0.0.1:9', '--ca', good.cert], `--ca ${good.cert} is about the certificates of https targets, and http://127.0.0.1:9/ is http ${see}`],
      [['--target', 'http://127.0.0.1:9', '--tls-target', 'http://127.0.0.1:10', '--insecure'], `--insecure is about the certificates of https targets, and http://127.0.0.1:9/ and http://127.0.0.1:10/ are http ${see}`],
    ];
    for (const [args, message] of cases) {
      const r = await run('replay', archive, ...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      if (typeof message === 'string') expect(r.err).toBe(`broker: ${message}`);
      else expect(r.err.replace(/^broker: /, '')).toMatch(message);
      expect(r.out).toBe('');
    }
    expect(t.got).toEqual([]);
  });
});

for (const runtime of PROCESS_RUNTIMES) {
  describeWhen(runtimeNeed(runtime), `replay to broker record over TLS, both as processes (${runtimeTitle(runtime)})`, () => {
    let bin: BrokerBin | undefined;
    beforeAll(async () => {
      bin = await nodeFor(runtime);
    });

    it('--ca with the recorder certificate: all recorded; without it: exit 1 and nothing recorded', async () => {
      const out = join(dir, `${runtime}-ca.brk`);
      const rec = await startRecorder(['--out', out, '--tls-cert', good.cert, '--tls-key', good.key], bin);
      const target = `https://localhost:${rec.port}`;
      const refused = await runBroker(['replay', archive, '--target', target, '--concurrency', '1'], bin);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/: its certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); stopped sending: give the CA that signed it .* with --ca FILE, or --insecure /);
      const r = await runBroker(['replay', archive, '--target', target, '--ca', good.cert, '--json'], bin);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toMatchObject({ sent: 5, statuses: { 200: 5 } });
      rec.child.kill('SIGTERM');
      expect((await rec.exited).code).toBe(0);
      const records = readArchive(readFileSync(out)).records;
      expect(records.map((x) => x.url).sort()).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4']);
      expect(records.every((x) => x.tls && x.sni === 'localhost')).toBe(true);
    });

    it('--insecure to a --tls-self-signed recorder: warns once, all recorded', async () => {
      const out = join(dir, `${runtime}-insecure.brk`);
      const rec = await startRecorder(['--out', out, '--tls-self-signed'], bin);
      const r = await runBroker(['replay', archive, '--target', `https://127.0.0.1:${rec.port}`, '--insecure', '--json'], bin);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: `${WARNING}\n` });
      rec.child.kill('SIGTERM');
      expect((await rec.exited).code).toBe(0);
      expect(readArchive(readFileSync(out)).records).toHaveLength(5);
    });
  });
}
